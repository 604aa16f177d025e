/**
 * Pauses from the gaps between a file's track segments (GPX `trkseg`, TCX `Track`): a device
 * starts a new segment when its timer stops, so the time from one segment's last sample to
 * the next one's first is a pause. The importers feed it as segments close, while the
 * samples stream in.
 */
import type { ImportedPause, RawSample } from "./imported-workout.js";

/** Collects the pauses between consecutive segments of a growing list of samples. */
export class SegmentGaps {
  /** The pauses found so far, in file order. */
  readonly pauses: ImportedPause[] = [];
  readonly #samples: readonly RawSample[];
  #from = 0;
  #lastEnd: number | undefined;

  /** `samples` is the importer's own list: segments are read off it as it grows. */
  constructor(samples: readonly RawSample[]) {
    this.#samples = samples;
  }

  /** A segment closed: its samples are those added since the previous segment closed. */
  close(): void {
    const first = this.#samples[this.#from]?.time;
    if (first !== undefined && this.#lastEnd !== undefined && first > this.#lastEnd) {
      this.pauses.push({ start: this.#lastEnd, end: first });
    }
    if (first !== undefined) this.#lastEnd = this.#samples[this.#samples.length - 1]?.time;
    this.#from = this.#samples.length;
  }

  /** The next segment follows no earlier one (TCX: it opens a new lap), so no pause before it. */
  restart(): void {
    this.#lastEnd = undefined;
  }
}
