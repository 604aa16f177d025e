/**
 * ERG mode over a trainer's control point: take control when the app does not hold it yet
 * (trainers refuse anything else), set the target power, and take control again once if the
 * trainer forgot it (it was reset or restarted). Remembers which target each trainer last
 * accepted, so the Record screen can show it again after the rider looked at another page.
 */
import type { ControlResult, TrainerControl } from "@ridevault/recorder";

/** ERG targets for whichever trainers the rider connects. */
export class ErgControl {
  readonly #controlled = new WeakSet<TrainerControl>();
  readonly #held = new WeakMap<TrainerControl, number>();

  /** The target `trainer` last accepted, or undefined. */
  held(trainer: TrainerControl): number | undefined {
    return this.#held.get(trainer);
  }

  /** Asks `trainer` to hold `watts`, taking control of it first when needed. */
  async set(trainer: TrainerControl, watts: number): ControlResult {
    if (!this.#controlled.has(trainer)) {
      const control = await trainer.requestControl();
      if (!control.ok) return control;
      this.#controlled.add(trainer);
    }
    let set = await trainer.setTargetPower(watts);
    if (!set.ok && set.error.code === "ftms-control-not-permitted") {
      this.#controlled.delete(trainer);
      const control = await trainer.requestControl();
      if (!control.ok) return control;
      this.#controlled.add(trainer);
      set = await trainer.setTargetPower(watts);
    }
    if (set.ok) this.#held.set(trainer, watts);
    return set;
  }
}
