/**
 * Crash recovery: when a vault opens, samples still in the crash log (appended, never
 * sealed, because the process died) are sealed into their workouts as the chunks they were
 * meant to be. Idempotent: a log whose chunk is already in the document is just deleted. A
 * log whose workout cannot be opened is kept (and reported), never thrown away.
 */
import type { DeviceId } from "../ids.js";
import type { CrashLog, CrashLogKey } from "../storage/crash-log.js";
import { decodeChunk, encodeChunk } from "../workout/chunk.js";
import { columnsToSamples } from "../workout/columns.js";
import type { Sample } from "../workout/sample.js";
import type { Workouts } from "./workouts.js";

/** What recovery found. */
export interface RecoveryReport {
  /** Samples sealed into workouts, per workout. */
  readonly recovered: readonly { readonly workoutId: string; readonly samples: number }[];
  /** Logs that could not be recovered now; they are kept for a later attempt. */
  readonly problems: readonly { readonly workoutId: string; readonly message: string }[];
}

/** Seals every crash log into its workout. */
export async function recoverCrashLogs(parts: {
  readonly crashLog: CrashLog;
  readonly workouts: Workouts;
  /** This vault's device, whose name its recovered chunks carry. */
  readonly device: { readonly id: DeviceId; readonly name: string };
}): Promise<RecoveryReport> {
  const { crashLog, workouts } = parts;
  const byWorkout = new Map<string, CrashLogKey[]>();
  for (const key of await crashLog.keys()) {
    byWorkout.set(key.workoutId, [...(byWorkout.get(key.workoutId) ?? []), key]);
  }
  const recovered: { workoutId: string; samples: number }[] = [];
  const problems: { workoutId: string; message: string }[] = [];
  for (const [workoutId, keys] of byWorkout) {
    const opened = await workouts.open(workoutId);
    if (!opened.ok) {
      problems.push({ workoutId, message: `unsealed samples kept: ${opened.error.message}` });
      continue;
    }
    const workout = opened.value;
    let count = 0;
    keys.sort((a, b) => a.deviceId.localeCompare(b.deviceId) || a.seq - b.seq);
    for (const key of keys) {
      if (workout.hasChunk(key.deviceId, key.seq)) continue;
      const deviceId = key.deviceId as DeviceId;
      const lastTime = workout.progressOf(deviceId).lastTime ?? Number.NEGATIVE_INFINITY;
      const samples: Sample[] = [];
      for (const record of await crashLog.read(key)) {
        const decoded = decodeChunk(record);
        if (!decoded.ok) continue;
        for (const sample of columnsToSamples(decoded.value)) {
          const previous = samples[samples.length - 1]?.time ?? lastTime;
          if (sample.time > previous) samples.push(sample);
        }
      }
      if (samples.length === 0) continue;
      const deviceName = deviceId === parts.device.id ? parts.device.name : "unknown device";
      workout.sealChunk({ deviceId, deviceName, seq: key.seq, bytes: encodeChunk(samples) });
      count += samples.length;
    }
    await workouts.settle();
    for (const key of keys) await crashLog.remove(key);
    if (count > 0) recovered.push({ workoutId, samples: count });
  }
  return { recovered, problems };
}
