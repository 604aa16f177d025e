/**
 * The device-level half of the relay protocol suite (`protocol-suite.ts`): the core
 * library's `SyncEngine` — the same code, given nothing but the relay's URL — on vaults in
 * memory, real libsodium, real Automerge. Devices converge while editing and recording
 * concurrently and going offline at random; a ride recorded offline syncs completely; what
 * the relay acknowledged survives its restart.
 */
import { isDeepStrictEqual } from "node:util";
import { columnsToSamples, createSeededRandom, type Sample, unwrap } from "@ridevault/core";
import { afterEach, describe, expect, it } from "vitest";
import {
  closeDevices,
  type Device,
  eventually,
  goOffline,
  goOnline,
  openDevice,
  record,
  ride,
  snapshot,
} from "./devices.js";
import type { SuiteContext } from "./protocol-suite-context.js";

const T0 = Date.UTC(2026, 9, 3, 6, 0, 0);

/** Registers the device tests of the suite. */
export function deviceTests(context: SuiteContext): void {
  const { relay } = context;

  describe("devices (the core SyncEngine, only the URL differs)", () => {
    const devices: Device[] = [];

    afterEach(async () => {
      await closeDevices(devices.splice(0));
    });

    /** The first device of a new rider, then `count - 1` more joining it, all synced. */
    async function rider(count: number): Promise<Device[]> {
      const first = await openDevice("device-0", relay().url);
      devices.push(first);
      const invite = await first.vault.invite();
      await first.sync.whenSynced(30_000);
      for (let i = 1; i < count; i++) {
        const device = await openDevice(`device-${i}`, relay().url, invite);
        devices.push(device);
        await device.sync.whenSynced(30_000);
      }
      return [...devices];
    }

    it("a second device receives the library and every workout, and edits flow both ways", async () => {
      const [phone] = (await rider(1)) as [Device];
      const created = unwrap(
        await phone.vault.workouts.create({ title: "Dawn patrol", startTime: T0 }),
      );
      const recording = unwrap(await phone.vault.workouts.record(created.id, { chunkSamples: 30 }));
      const samples: Sample[] = Array.from({ length: 95 }, (_, i) => ({
        time: T0 + i * 1000,
        power: 180 + (i % 40),
        heartRate: 120 + (i % 30),
      }));
      for (const sample of samples) unwrap(await recording.append(sample));
      await recording.finish();
      await phone.sync.whenSynced(30_000);

      const laptop = await openDevice("laptop", relay().url, await phone.vault.invite());
      devices.push(laptop);
      await laptop.sync.whenSynced(30_000);
      await eventually(
        async () => (await laptop.vault.workouts.open(created.id)).ok,
        20_000,
        "the ride on the laptop",
      );
      const copy = unwrap(await laptop.vault.workouts.open(created.id));
      expect(columnsToSamples(copy.samples().columns)).toEqual(samples);
      expect(laptop.vault.workouts.get(created.id)?.title).toBe("Dawn patrol");

      const renamed = "Dawn patrol (renamed on the laptop)";
      unwrap(await laptop.vault.workouts.update(created.id, { title: renamed }));
      await eventually(
        () => phone.vault.workouts.get(created.id)?.title === renamed,
        20_000,
        "the rename on the phone",
      );
      expect(phone.sync.status.lastError).toBeNull();
      expect(laptop.sync.status.lastError).toBeNull();
    }, 90_000);

    it("three devices edit and record concurrently, go offline at random, and converge", {
      retry: context.capabilities.churnRetries,
      timeout: 180_000,
    }, async () => {
      const [a, b, c] = (await rider(3)) as [Device, Device, Device];
      const random = createSeededRandom(2026);
      const coin = (): boolean => ((random.bytes(1)[0] as number) & 1) === 1;
      const rides: string[] = [];
      for (const [i, device] of [a, b, c].entries()) {
        const created = unwrap(
          await device.vault.workouts.create({
            title: `Ride ${i}`,
            startTime: T0 + i * 86_400_000,
          }),
        );
        rides.push(created.id);
      }
      await Promise.all([a, b, c].map((d) => d.sync.whenSynced(30_000)));
      await eventually(
        async () => {
          for (const d of [a, b, c])
            for (const id of rides) if (!(await d.vault.workouts.open(id)).ok) return false;
          return true;
        },
        30_000,
        "all rides on all devices",
      );

      for (let round = 0; round < 4; round++) {
        const offline = [a, b, c].filter(() => coin());
        for (const device of offline) await goOffline(device);
        await Promise.all(
          [a, b, c].map(async (device, i) => {
            const id = rides[(i + round) % 3] as string;
            unwrap(
              await device.vault.workouts.update(id, {
                notes: `round ${round} by ${device.name}`,
              }),
            );
            const start = T0 + round * 600_000 + i * 100_000;
            await record(device, id, ride(start, 40, round * 3 + i), 15);
            if (round === 2 && i === 1)
              unwrap(await device.vault.workouts.remove(rides[0] as string));
          }),
        );
        for (const device of offline) await goOnline(device);
      }

      await Promise.all([a, b, c].map((d) => d.sync.whenSynced(60_000)));
      // Library summaries refresh a moment after merged samples (summaryDelayMs) and sync
      // again, so no device's state is final yet: compare all three afresh each time.
      const identical = async (): Promise<boolean> => {
        const expected = await snapshot(a);
        return (
          isDeepStrictEqual(await snapshot(b), expected) &&
          isDeepStrictEqual(await snapshot(c), expected)
        );
      };
      // Wait for the last live envelopes, then compare (a failure shows the difference).
      await eventually(identical, 30_000, "identical devices").catch(() => undefined);
      const expected = await snapshot(a);
      expect(await snapshot(b)).toEqual(expected);
      expect(await snapshot(c)).toEqual(expected);
      const library = (expected as { library: { deletedAt: number | null }[] }).library;
      expect(library).toHaveLength(3);
      expect(library.filter((e) => e.deletedAt !== null)).toHaveLength(1);
      for (const device of [a, b, c]) expect(device.sync.status.lastError).toBeNull();
    });

    it("a device offline for a whole ride syncs it completely when it comes back", async () => {
      const [phone, laptop] = (await rider(2)) as [Device, Device];
      await goOffline(phone);
      const id = unwrap(
        await phone.vault.workouts.create({ title: "Offline epic", startTime: T0 }),
      ).id;
      const samples = ride(T0, 2 * 3600, 7);
      await record(phone, id, samples, 60);
      expect(phone.sync.status.state).toBe("offline");
      await goOnline(phone);
      await phone.sync.whenSynced(60_000);
      await eventually(
        async () => (await laptop.vault.workouts.open(id)).ok,
        30_000,
        "the ride on the laptop",
      );
      await laptop.sync.whenSynced(60_000);
      const copy = unwrap(await laptop.vault.workouts.open(id));
      expect(copy.samples().columns.length).toBe(samples.length);
      await eventually(
        async () => isDeepStrictEqual(await snapshot(laptop), await snapshot(phone)),
        30_000,
        "identical devices",
      ).catch(() => undefined);
      expect(await snapshot(laptop)).toEqual(await snapshot(phone));
    }, 120_000);

    it("keeps what it acknowledged across a restart of the relay", async () => {
      const [writer] = (await rider(1)) as [Device];
      const invite = await writer.vault.invite();
      const created = unwrap(await writer.vault.workouts.create({ title: "Kept", startTime: T0 }));
      await record(writer, created.id, ride(T0, 60, 3));
      await writer.sync.whenSynced(30_000);
      const before = await snapshot(writer);
      await closeDevices(devices.splice(0));

      await relay().restart();

      const reader = await openDevice("reader", relay().url, invite);
      devices.push(reader);
      await reader.sync.whenSynced(30_000);
      await eventually(
        async () =>
          (await reader.vault.workouts.open(created.id)).ok &&
          isDeepStrictEqual(await snapshot(reader), before),
        30_000,
        "the reader catching up after the restart",
      );
      expect(reader.vault.workouts.list().map((w) => w.title)).toEqual(["Kept"]);
    }, 90_000);
  });
}
