/**
 * Two devices edit the same workout while apart — metadata on one, samples on both, a
 * tombstone on one — and exchange Automerge changes in both orders: every copy ends
 * identical, and the chunks merge as a union without duplicates.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  columnsToSamples,
  MemoryCrashLog,
  MemoryStorageAdapter,
  openVault,
  type Sample,
  unwrap,
  type Vault,
  type Workout,
} from "../src/index.js";

const T0 = Date.UTC(2026, 4, 2, 7, 0, 0);

async function newVault(deviceName: string): Promise<Vault> {
  return unwrap(
    await openVault({
      storage: new MemoryStorageAdapter(),
      crashLog: new MemoryCrashLog(),
      deviceName,
    }),
  );
}

async function record(
  vault: Vault,
  id: string,
  samples: readonly Sample[],
  chunkSamples: number,
): Promise<void> {
  const recording = unwrap(await vault.workouts.record(id, { chunkSamples }));
  for (const sample of samples) unwrap(await recording.append(sample));
  await recording.finish();
}

function state(workout: Workout) {
  return {
    heads: [...workout.heads()].sort(),
    metadata: workout.metadata(),
    samples: columnsToSamples(workout.samples().columns),
    chunks: workout.chunkCount,
  };
}

describe("two devices editing one workout", () => {
  it("converge to identical documents whichever order the changes arrive in", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 1, max: 120 }),
        async (chunkA, chunkB, countA, countB) => {
          const phone = await newVault("phone");
          const headUnit = await newVault("head unit");
          const original = unwrap(
            await phone.workouts.create({ title: "Club ride", startTime: T0 }),
          );
          const copy = unwrap(await headUnit.workouts.import(original.id, original.save()));
          const base = original.heads();
          const baseBytes = original.save();

          // Apart: the phone renames and records heart rate; the head unit records power
          // (overlapping in time) and moves the ride to the bin.
          unwrap(original.update({ title: "Club ride (wet)", notes: "rain after 40 km" }));
          await record(phone, original.id, hrSamples(countA), chunkA);
          await record(headUnit, copy.id, powerSamples(countB), chunkB);
          unwrap(await headUnit.workouts.remove(copy.id));

          const fromPhone = original.changesSince(base);
          const fromHeadUnit = copy.changesSince(base);

          // Third and fourth copies receive both sets of changes in opposite orders.
          const third = await newVault("laptop");
          const fourth = await newVault("tablet");
          const viaPhoneFirst = unwrap(await third.workouts.import(original.id, baseBytes));
          const viaHeadUnitFirst = unwrap(await fourth.workouts.import(original.id, baseBytes));
          unwrap(viaPhoneFirst.applyChanges(fromPhone));
          unwrap(viaPhoneFirst.applyChanges(fromHeadUnit));
          unwrap(viaHeadUnitFirst.applyChanges(fromHeadUnit));
          unwrap(viaHeadUnitFirst.applyChanges(fromPhone));

          unwrap(original.applyChanges(fromHeadUnit));
          unwrap(copy.applyChanges(fromPhone));
          // Duplicate delivery changes nothing.
          unwrap(copy.applyChanges(fromPhone));
          unwrap(copy.applyChanges(fromHeadUnit));

          const expected = state(original);
          for (const other of [copy, viaPhoneFirst, viaHeadUnitFirst])
            expect(state(other)).toEqual(expected);

          expect(expected.metadata.title).toBe("Club ride (wet)");
          expect(expected.metadata.deletedAt).not.toBeNull();
          expect(
            Object.values(expected.metadata.devices)
              .map((d) => d.name)
              .sort(),
          ).toEqual(["head unit", "phone"]);
          expect(expected.chunks).toBe(Math.ceil(countA / chunkA) + Math.ceil(countB / chunkB));
          expect(expected.samples).toEqual(mergedSamples(countA, countB));

          // The library of each vault follows: the tombstone hides the ride everywhere.
          await phone.workouts.settle();
          expect(phone.workouts.list()).toEqual([]);
          expect(phone.workouts.list({ deleted: "only" })[0]?.summary?.samples).toBe(
            Math.max(countA, countB),
          );
          for (const vault of [phone, headUnit, third, fourth]) await vault.close();
        },
      ),
      { numRuns: 15 },
    );
  });
});

function hrSamples(count: number): Sample[] {
  return Array.from({ length: count }, (_, i) => ({
    time: T0 + i * 1000,
    heartRate: 100 + (i % 60),
  }));
}

function powerSamples(count: number): Sample[] {
  return Array.from({ length: count }, (_, i) => ({ time: T0 + i * 1000, power: 150 + (i % 90) }));
}

function mergedSamples(countA: number, countB: number): Sample[] {
  return Array.from({ length: Math.max(countA, countB) }, (_, i) => ({
    time: T0 + i * 1000,
    ...(i < countB && { power: 150 + (i % 90) }),
    ...(i < countA && { heartRate: 100 + (i % 60) }),
  }));
}
