/**
 * Three devices of one rider, a real relay process on a real SQLite file: concurrent edits
 * and recordings, devices going offline at random and coming back — all end identical.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { createSeededRandom, unwrap } from "@ridevault/core";
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
import { type RelayProcess, startRelayProcess } from "./relay-process.js";

const T0 = Date.UTC(2026, 9, 3, 6, 0, 0);

describe("devices converging through a relay process", () => {
  let relay: RelayProcess | undefined;
  let dir = "";
  const devices: Device[] = [];

  afterEach(async () => {
    await closeDevices(devices.splice(0));
    await relay?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function setUp(count: number): Promise<Device[]> {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-converge-"));
    relay = await startRelayProcess(dir);
    const first = await openDevice("device-0", relay.url);
    devices.push(first);
    const invite = await first.vault.invite();
    await first.sync.whenSynced();
    for (let i = 1; i < count; i++) {
      const device = await openDevice(`device-${i}`, relay.url, invite);
      devices.push(device);
      await device.sync.whenSynced();
    }
    return devices;
  }

  it("three devices edit and record concurrently, go offline at random, and converge", async () => {
    const [a, b, c] = (await setUp(3)) as [Device, Device, Device];
    const random = createSeededRandom(2026);
    const coin = (): boolean => ((random.bytes(1)[0] as number) & 1) === 1;

    const rides: string[] = [];
    for (const [i, device] of [a, b, c].entries()) {
      const created = unwrap(
        await device.vault.workouts.create({ title: `Ride ${i}`, startTime: T0 + i * 86_400_000 }),
      );
      rides.push(created.id);
    }
    await Promise.all([a, b, c].map((d) => d.sync.whenSynced()));
    await eventually(
      () => [a, b, c].every((d) => d.vault.workouts.list().length === 3),
      20_000,
      "all rides listed",
    );
    await eventually(
      async () => {
        for (const d of [a, b, c])
          for (const id of rides) if (!(await d.vault.workouts.open(id)).ok) return false;
        return true;
      },
      20_000,
      "all rides opened",
    );

    for (let round = 0; round < 4; round++) {
      const offline = [a, b, c].filter(() => coin());
      for (const device of offline) await goOffline(device);
      await Promise.all(
        [a, b, c].map(async (device, i) => {
          const id = rides[(i + round) % 3] as string;
          unwrap(
            await device.vault.workouts.update(id, { notes: `round ${round} by ${device.name}` }),
          );
          await record(device, id, ride(T0 + round * 600_000 + i * 100_000, 40, round * 3 + i), 15);
          if (round === 2 && i === 1)
            unwrap(await device.vault.workouts.remove(rides[0] as string));
        }),
      );
      for (const device of offline) await goOnline(device);
    }

    await Promise.all([a, b, c].map((d) => d.sync.whenSynced(30_000)));
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
    await eventually(identical, 20_000, "identical devices").catch(() => undefined);
    const expected = await snapshot(a);
    expect(await snapshot(b)).toEqual(expected);
    expect(await snapshot(c)).toEqual(expected);
    const library = (expected as { library: { deletedAt: number | null }[] }).library;
    expect(library).toHaveLength(3);
    expect(library.filter((e) => e.deletedAt !== null)).toHaveLength(1);
    for (const device of [a, b, c]) expect(device.sync.status.lastError).toBeNull();
  });

  it("a device offline for a whole ride syncs it completely when it comes back", async () => {
    const [phone, laptop] = (await setUp(2)) as [Device, Device];
    await goOffline(phone);
    const id = unwrap(
      await phone.vault.workouts.create({ title: "Offline epic", startTime: T0 }),
    ).id;
    const samples = ride(T0, 2 * 3600, 7);
    await record(phone, id, samples, 60);
    expect(phone.sync.status.state).toBe("offline");
    await goOnline(phone);
    await phone.sync.whenSynced(30_000);
    await eventually(
      async () => (await laptop.vault.workouts.open(id)).ok,
      20_000,
      "ride on the laptop",
    );
    await laptop.sync.whenSynced(30_000);
    const copy = unwrap(await laptop.vault.workouts.open(id));
    expect(copy.samples().columns.length).toBe(samples.length);
    expect(await snapshot(laptop)).toEqual(await snapshot(phone));
  });
});
