/**
 * Demo data: a history of simulated rides, one a day going back from yesterday, so the
 * history, search, fitness chart and sync can be tried (and the list's virtualisation seen)
 * without riding for weeks. Each ride is recorded into a scratch in-memory vault from the
 * recorder package's ride model at one sample per 10 s, then imported into the real vault as
 * another device's workout would be.
 */
import {
  MemoryCrashLog,
  MemoryStorageAdapter,
  openVault,
  type Result,
  type Vault,
} from "@ridevault/core/browser";
import { type RideProfile, rideStateAt } from "@ridevault/recorder";

const DAY_MS = 86_400_000;
const STEP_S = 10;

const PROFILES: readonly RideProfile[] = [
  { type: "steady", power: 170, cadence: 88 },
  {
    type: "intervals",
    intervals: [
      { seconds: 600, watts: 160 },
      { seconds: 300, watts: 290, cadence: 95 },
    ],
  },
  { type: "steady", power: 215, cadence: 92 },
];

/** Adds `count` demo rides to `vault`; `onProgress(done)` after each. */
export async function addDemoRides(
  vault: Vault,
  count: number,
  onProgress: (done: number) => void,
): Promise<Result<number, { readonly code: string; readonly message: string }>> {
  const opened = await openVault({
    storage: new MemoryStorageAdapter(),
    crashLog: new MemoryCrashLog(),
    deviceName: "ridevault demo",
  });
  if (!opened.ok) return opened;
  const scratch = opened.value;
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  for (let i = 0; i < count; i++) {
    const profile = PROFILES[i % PROFILES.length] as RideProfile;
    const minutes = 30 + ((i * 17) % 60);
    const start = today - (i + 1) * DAY_MS + 7 * 3_600_000;
    const created = await scratch.workouts.create({
      title: `Demo ride ${i + 1}: ${profile.type === "intervals" ? "intervals" : "endurance"}`,
      startTime: start,
      subSport: "road",
      tags: ["demo"],
    });
    if (!created.ok) return created;
    const recording = await scratch.workouts.record(created.value.id);
    if (!recording.ok) return recording;
    let distance = 0;
    for (let s = 0; s <= minutes * 60; s += STEP_S) {
      const ride = rideStateAt(profile, s);
      const speed = Math.round((ride.speedKmh / 3.6) * 1000);
      distance += speed * STEP_S;
      const appended = await recording.value.append({
        time: start + s * 1000,
        power: ride.power,
        heartRate: ride.heartRate,
        cadence: Math.round(ride.cadence),
        speed,
        distance,
      });
      if (!appended.ok) return appended;
    }
    await recording.value.finish();
    const imported = await vault.workouts.import(created.value.id, created.value.save());
    if (!imported.ok) return imported;
    onProgress(i + 1);
  }
  await scratch.close();
  return { ok: true, value: count };
}
