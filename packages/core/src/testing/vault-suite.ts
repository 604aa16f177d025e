/**
 * The vault acceptance suite: everything a vault promises, run against every storage
 * configuration (memory, files, IndexedDB). An environment opens vaults over the same
 * persistent stores again and again, and can damage one workout's stored bytes.
 */
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Result } from "../result.js";
import { unwrap } from "../result.js";
import type { VaultEvent } from "../vault/events.js";
import type { Vault, VaultOptions } from "../vault/vault.js";
import { columnsToSamples } from "../workout/columns.js";
import type { Sample } from "../workout/sample.js";
import { rideArbitrary, splitAt } from "./arbitraries.js";

/** Persistent stores for a vault, opened as often as a test likes. */
export interface VaultEnvironment {
  /** Opens a vault over this environment's stores (the same data every time). */
  open(options?: Partial<Omit<VaultOptions, "storage" | "crashLog">>): Promise<Vault>;
  /** Damages the stored bytes of one workout (the vault using them must be closed). */
  damage(workoutId: string): Promise<void>;
  teardown(): Promise<void>;
}

const T0 = Date.UTC(2026, 5, 1, 8, 0, 0);

function must<T>(result: Result<T, { code: string; message?: string }>): T {
  return unwrap(result);
}

/** Runs the vault acceptance suite against environments made by `makeEnvironment`. */
export function runVaultTests(
  name: string,
  makeEnvironment: () => Promise<VaultEnvironment>,
): void {
  describe(`vault: ${name}`, () => {
    let env: VaultEnvironment;
    beforeEach(async () => {
      env = await makeEnvironment();
    });
    afterEach(async () => {
      await env.teardown();
    });

    it("creates, lists, updates, removes, restores and purges workouts, with events", async () => {
      const vault = await env.open();
      const events: VaultEvent[] = [];
      vault.subscribe((event) => events.push(event));
      const a = must(
        await vault.workouts.create({ title: "Morning ride", startTime: T0, tags: ["commute"] }),
      );
      const b = must(
        await vault.workouts.create({
          title: "Intervals",
          startTime: T0 + 86_400_000,
          subSport: "indoor",
        }),
      );
      expect(vault.workouts.list().map((e) => e.title)).toEqual(["Intervals", "Morning ride"]);
      expect(vault.workouts.get(a.id)).toMatchObject({
        sport: "cycling",
        tags: ["commute"],
        deletedAt: null,
      });

      must(await vault.workouts.update(a.id, { title: "Morning loop", settings: { ftp: 250 } }));
      expect(vault.workouts.get(a.id)?.title).toBe("Morning loop");
      expect(a.metadata().settings).toEqual({
        ftp: 250,
        maxHeartRate: null,
        thresholdHeartRate: null,
      });

      must(await vault.workouts.remove(b.id));
      expect(vault.workouts.list().map((e) => e.id)).toEqual([a.id]);
      expect(vault.workouts.list({ deleted: "only" }).map((e) => e.id)).toEqual([b.id]);
      must(await vault.workouts.restore(b.id));
      expect(vault.workouts.list()).toHaveLength(2);
      must(await vault.workouts.purge(b.id));
      expect(vault.workouts.list({ deleted: true }).map((e) => e.id)).toEqual([a.id]);
      const gone = await vault.workouts.open(b.id);
      expect(gone.ok ? "opened" : gone.error.code).toBe("not-found");

      expect(events.map((e) => `${e.type}:${e.id === a.id ? "a" : "b"}`)).toEqual([
        "created:a",
        "created:b",
        "updated:a",
        "removed:b",
        "restored:b",
        "purged:b",
      ]);
      await vault.close();
    });

    it("refuses invalid metadata with the field and a reason", async () => {
      const vault = await env.open();
      const bad = await vault.workouts.create({ title: "x", settings: { ftp: -5 } });
      expect(bad.ok ? undefined : bad.error).toMatchObject({
        code: "invalid-metadata",
        field: "settings.ftp",
      });
      const sport = await vault.workouts.create({ sport: "curling" as never });
      expect(sport.ok ? undefined : sport.error.field).toBe("sport");
      expect(vault.workouts.list()).toEqual([]);
      await vault.close();
    });

    it("keeps metadata, laps and the library across a close and reopen", async () => {
      const first = await env.open();
      const w = must(
        await first.workouts.create({ title: "Gravel", startTime: T0, notes: "muddy" }),
      );
      must(w.addLap({ start: T0, end: T0 + 60_000 }));
      must(w.addLap({ start: T0 + 60_000, trigger: "distance" }));
      await first.close();
      const second = await env.open();
      expect(second.workouts.list().map((e) => e.title)).toEqual(["Gravel"]);
      const reopened = must(await second.workouts.open(w.id));
      expect(reopened.metadata()).toMatchObject({ title: "Gravel", notes: "muddy", startTime: T0 });
      expect(reopened.metadata().laps.map((l) => [l.start, l.end, l.trigger])).toEqual([
        [T0, T0 + 60_000, "manual"],
        [T0 + 60_000, null, "distance"],
      ]);
      await second.close();
    });

    it("reads back any samples in any chunking exactly, also after a reopen", async () => {
      await fc.assert(
        fc.asyncProperty(
          rideArbitrary({ maxLength: 150 }),
          fc.integer({ min: 1, max: 70 }),
          fc.array(fc.nat(), { maxLength: 4 }),
          async (samples, chunkSamples, cuts) => {
            const vault = await env.open();
            const w = must(await vault.workouts.create({ startTime: samples[0]?.time ?? T0 }));
            const recording = must(await vault.workouts.record(w.id, { chunkSamples }));
            for (const piece of splitAt(samples, cuts)) {
              for (const sample of piece) {
                const appended = await recording.append(sample);
                expect(appended.ok && appended.value.dropped).toEqual([]);
              }
              await recording.flush();
            }
            await recording.finish();
            expect(columnsToSamples(w.samples().columns)).toEqual(samples);
            await vault.close();
            const again = await env.open();
            const reopened = must(await again.workouts.open(w.id));
            const read = reopened.samples();
            expect(read.problems).toEqual([]);
            expect(columnsToSamples(read.columns)).toEqual(samples);
            expect(again.workouts.get(w.id)?.summary?.samples).toBe(samples.length);
            await again.close();
          },
        ),
        { numRuns: 12 },
      );
    });

    it("reads a time range and keeps a summary in the library", async () => {
      const vault = await env.open();
      const w = must(await vault.workouts.create({ title: "Steady", startTime: T0 }));
      const recording = must(await vault.workouts.record(w.id, { chunkSamples: 30 }));
      for (let i = 0; i < 100; i++) {
        const sample: Sample = {
          time: T0 + i * 1000,
          power: i < 50 ? 200 : 300,
          heartRate: 140,
          cadence: i % 10 === 0 ? 0 : 90,
          speed: 10_000,
          distance: i * 10_000,
        };
        must(await recording.append(sample));
      }
      await recording.finish();
      const range = w.samples({ from: T0 + 10_000, to: T0 + 20_000 }).columns;
      expect(Array.from(range.time)).toEqual(
        Array.from({ length: 10 }, (_, i) => T0 + (10 + i) * 1000),
      );
      const summary = vault.workouts.get(w.id)?.summary;
      expect(summary).toMatchObject({
        samples: 100,
        elapsedMs: 99_000,
        timerMs: 99_000,
        distance: 990_000,
        maxPower: 300,
        avgHeartRate: 140,
        avgCadence: 90,
        maxSpeed: 10_000,
      });
      // 50 × 200 W + 49 × 300 W, one second each (the last sample ends the ride).
      expect(summary?.work).toBe(24_700);
      expect(vault.workouts.get(w.id)?.endTime).toBe(T0 + 99_000);
      await vault.close();
    });

    it("refuses a second recording of the same workout until the first is finished", async () => {
      const vault = await env.open();
      const w = must(await vault.workouts.create({ startTime: T0 }));
      const first = must(await vault.workouts.record(w.id));
      const second = await vault.workouts.record(w.id);
      expect(second.ok ? undefined : second.error.code).toBe("already-recording");
      must(await first.append({ time: T0, power: 1 }));
      await first.finish();
      const third = must(await vault.workouts.record(w.id));
      must(await third.append({ time: T0 + 1000, power: 2 }));
      await third.finish();
      expect(w.samples().columns.length).toBe(2);
      await vault.close();
    });

    it("rejects or drops bad sample values with a reason and never stores them", async () => {
      const vault = await env.open();
      const w = must(await vault.workouts.create({ startTime: T0 }));
      const recording = must(await vault.workouts.record(w.id));
      must(await recording.append({ time: T0, power: 100, heartRate: 120 }));
      const nan = must(
        await recording.append({ time: T0 + 1000, power: Number.NaN, heartRate: 121 }),
      );
      expect(nan.dropped).toMatchObject([
        { field: "power", reason: expect.stringContaining("number") },
      ]);
      const negative = must(
        await recording.append({ time: T0 + 2000, power: -40, heartRate: 0, cadence: 80 }),
      );
      expect(negative.dropped.map((d) => d.field)).toEqual(["power", "heartRate"]);
      const back = await recording.append({ time: T0 + 1500, power: 100 });
      expect(back.ok ? undefined : back.error.code).toBe("time-not-increasing");
      const empty = await recording.append({ time: T0 + 3000, heartRate: 0 });
      expect(empty.ok ? undefined : empty.error.code).toBe("empty-sample");
      const noTime = await recording.append({ power: 100 });
      expect(noTime.ok ? undefined : noTime.error.code).toBe("invalid-time");
      await recording.finish();
      expect(columnsToSamples(w.samples().columns)).toEqual([
        { time: T0, power: 100, heartRate: 120 },
        { time: T0 + 1000, heartRate: 121 },
        { time: T0 + 2000, cadence: 80 },
      ]);
      await vault.close();
    });

    it("recovers unsealed samples from the crash log when a vault was never closed", async () => {
      // The crashed vault never refreshes summaries: its process is "dead".
      const crashed = await env.open({ summaryDelayMs: 3_600_000 });
      const w = must(await crashed.workouts.create({ title: "Crash", startTime: T0 }));
      const recording = must(await crashed.workouts.record(w.id, { chunkSamples: 10 }));
      const samples: Sample[] = Array.from({ length: 25 }, (_, i) => ({
        time: T0 + i * 1000,
        power: 100 + i,
      }));
      for (const sample of samples) must(await recording.append(sample));
      expect(recording.pending).toBe(5);
      await recording.whenPersisted();
      // No finish, no close: the process "dies" here, with 5 samples only in the crash log.
      // (Dying mid-persist is the SIGKILL test's job; here the dead vault must be quiet.)
      const reopened = await env.open();
      expect(reopened.recovery.recovered).toEqual([{ workoutId: w.id, samples: 5 }]);
      const again = must(await reopened.workouts.open(w.id));
      expect(columnsToSamples(again.samples().columns)).toEqual(samples);
      expect(reopened.workouts.get(w.id)?.summary?.samples).toBe(25);
      // Recording continues after the recovered samples.
      const resumed = must(await reopened.workouts.record(w.id));
      const late = await resumed.append({ time: T0 + 10_000, power: 1 });
      expect(late.ok ? undefined : late.error.code).toBe("time-not-increasing");
      must(await resumed.append({ time: T0 + 30_000, power: 1 }));
      await resumed.finish();
      expect(again.samples().columns.length).toBe(26);
      await reopened.close();
    });

    it("names a damaged workout and keeps every other workout usable", async () => {
      const first = await env.open();
      const ids: string[] = [];
      for (const title of ["Alpha", "Bravo", "Charlie"]) {
        const w = must(await first.workouts.create({ title, startTime: T0 }));
        const recording = must(await first.workouts.record(w.id, { chunkSamples: 5 }));
        for (let i = 0; i < 12; i++)
          must(await recording.append({ time: T0 + i * 1000, power: 150 }));
        await recording.finish();
        ids.push(w.id);
      }
      await first.close();
      await env.damage(ids[1] as string);
      const vault = await env.open();
      expect(vault.workouts.list()).toHaveLength(3);
      const broken = await vault.workouts.open(ids[1] as string);
      expect(broken.ok).toBe(false);
      if (!broken.ok) {
        expect(broken.error.code).toBe("workout-corrupt");
        expect(broken.error.message).toContain('"Bravo"');
        expect(broken.error.message).toContain(ids[1]);
      }
      for (const id of [ids[0], ids[2]]) {
        const w = must(await vault.workouts.open(id as string));
        expect(w.samples().columns.length).toBe(12);
      }
      must(await vault.workouts.purge(ids[1] as string));
      expect(
        vault.workouts
          .list()
          .map((e) => e.title)
          .sort(),
      ).toEqual(["Alpha", "Charlie"]);
      await vault.close();
    });
  });
}
