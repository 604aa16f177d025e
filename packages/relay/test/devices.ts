/** Devices for integration tests: a vault (in memory) with sync to a relay URL. */
import {
  columnsToSamples,
  type LibraryAccess,
  MemoryCrashLog,
  MemoryStorageAdapter,
  openVault,
  type Sample,
  type SyncEngine,
  startSync,
  unwrap,
  type Vault,
} from "@ridevault/core";
import { WebSocket } from "ws";

/** One device of a rider. */
export interface Device {
  readonly name: string;
  readonly vault: Vault;
  sync: SyncEngine;
  readonly url: string;
}

/**
 * Opens a vault (joining another device's with `join`: a pairing link or a library access)
 * and starts syncing it through `webSocket` (the `ws` client unless another is given, such
 * as an account session's).
 */
export async function openDevice(
  name: string,
  url: string,
  join?: string | LibraryAccess,
  webSocket: unknown = WebSocket,
): Promise<Device> {
  const vault = unwrap(
    await openVault({
      storage: new MemoryStorageAdapter(),
      crashLog: new MemoryCrashLog(),
      deviceName: name,
      summaryDelayMs: 10,
      ...(join !== undefined && { join }),
    }),
  );
  const sync = await startSync(vault, {
    url,
    WebSocket: webSocket as never,
    backoff: { minMs: 20, maxMs: 300 },
  });
  return { name, vault, sync, url };
}

/** Stops syncing and closes each of `devices`, one after another. */
export async function closeDevices(
  devices: readonly Pick<Device, "sync" | "vault">[],
): Promise<void> {
  for (const device of devices) {
    await device.sync.stop();
    await device.vault.close();
  }
}

/** Takes a device offline (its outbox keeps what it writes meanwhile). */
export async function goOffline(device: Device): Promise<void> {
  await device.sync.stop();
}

/** Brings a device back online. */
export async function goOnline(device: Device): Promise<void> {
  device.sync = await startSync(device.vault, {
    url: device.url,
    WebSocket: WebSocket as never,
    backoff: { minMs: 20, maxMs: 300 },
  });
}

/** Records `samples` into a workout from this device. */
export async function record(
  device: Device,
  workoutId: string,
  samples: readonly Sample[],
  chunkSamples = 30,
): Promise<void> {
  const recording = unwrap(await device.vault.workouts.record(workoutId, { chunkSamples }));
  for (const sample of samples) unwrap(await recording.append(sample));
  await recording.finish();
}

/** Everything a device holds, comparable across devices. */
export async function snapshot(device: Device): Promise<unknown> {
  await device.vault.workouts.settle();
  const library = device.vault.workouts
    .list({ deleted: true })
    .map((e) => ({ ...e, updatedAt: 0 }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  const workouts = [];
  for (const entry of library) {
    const workout = unwrap(await device.vault.workouts.open(entry.id));
    workouts.push({
      id: entry.id,
      heads: workout.heads().sort(),
      metadata: workout.metadata(),
      samples: columnsToSamples(workout.samples().columns),
    });
  }
  return { library, workouts };
}

/** Polls `check` until it holds. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  what = "condition",
): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** `count` samples at 1 Hz from `start`, values derived from `seed`. */
export function ride(start: number, count: number, seed: number): Sample[] {
  return Array.from({ length: count }, (_, i) => ({
    time: start + i * 1000,
    power: (seed * 37 + i * 11) % 600,
    heartRate: 90 + ((seed + i) % 100),
    cadence: 70 + (i % 30),
  }));
}

/**
 * Whether `device` holds what `expected` (a `snapshot`) shows; false while a workout it lists
 * is not fetched yet (it cannot be opened).
 */
export async function sameAs(device: Device, expected: unknown): Promise<boolean> {
  try {
    return JSON.stringify(await snapshot(device)) === JSON.stringify(expected);
  } catch {
    return false;
  }
}
