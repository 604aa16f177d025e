/**
 * Integration tests of import and "all my data" on a real vault: a file becomes a workout
 * with its library summary in one step, a damaged file creates nothing, a ride is never
 * imported twice, bulk import (zip and folder) reports progress and carries on past bad
 * files, and an archive from `exportAll` restores every workout with identical samples.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Encodable, Encoder, type Mesg } from "@garmin/fitsdk";
import { gzipSync, strFromU8, unzipSync, zipSync } from "fflate";
import { describe, expect, test } from "vitest";
import { concatBytes } from "../src/bytes.js";
import {
  createSeededRandom,
  type ImportProgress,
  ManualClock,
  MemoryCrashLog,
  MemoryStorageAdapter,
  openVault,
  readImportFolder,
  type Sample,
  unwrap,
  type Vault,
  workoutFromJson,
} from "../src/node.js";

const T0 = Date.UTC(2024, 4, 12, 7, 30, 0);

async function vaultWithStorage(): Promise<{ vault: Vault; storage: MemoryStorageAdapter }> {
  const storage = new MemoryStorageAdapter();
  const vault = unwrap(
    await openVault({
      storage,
      crashLog: new MemoryCrashLog(),
      clock: new ManualClock(T0 + 86_400_000),
      random: createSeededRandom(Math.floor(Math.random() * 1e9)),
      summaryDelayMs: 0,
    }),
  );
  return { vault, storage };
}

/** Writes one message; the SDK's `writeMesg` takes the message types' common base. */
function write<T extends Mesg>(encoder: Encoder, mesg: Encodable<T>): void {
  encoder.writeMesg(mesg);
}

/** A small FIT ride from Garmin's SDK encoder (a file this project did not write); 0 file_id, 20 record, 18 session. */
function sdkFit(startOffsetS = 0, extraPower = 0): Uint8Array {
  const encoder = new Encoder();
  const at = (s: number) => new Date(T0 + (startOffsetS + s) * 1000);
  write(encoder, {
    mesgNum: 0,
    type: "activity",
    manufacturer: "wahooFitness",
    product: 31,
    timeCreated: at(0),
  });
  for (let i = 0; i < 90; i++) {
    write(encoder, {
      mesgNum: 20,
      timestamp: at(i),
      power: 150 + i + extraPower,
      heartRate: 120,
      distance: i * 6,
    });
  }
  write(encoder, {
    mesgNum: 18,
    timestamp: at(89),
    startTime: at(0),
    sport: "cycling",
    subSport: "indoorCycling",
  });
  return encoder.close();
}

const GPX = `<?xml version="1.0"?><gpx version="1.1" creator="StravaGPX" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>Evening loop</name><trkseg>
<trkpt lat="47.1" lon="8.1"><time>2024-05-13T17:00:00Z</time></trkpt>
<trkpt lat="47.1001" lon="8.1001"><time>2024-05-13T17:00:01Z</time></trkpt></trkseg></trk></gpx>`;

describe("vault.importFile", () => {
  test("creates the workout and its library summary; the same ride again is a duplicate", async () => {
    const { vault } = await vaultWithStorage();
    const first = await vault.importFile({ name: "rides/2024-05-12 Zwift.fit", bytes: sdkFit() });
    if (!first.ok) throw new Error(first.error.message);
    expect(first.value.status).toBe("imported");
    const entry = first.value.entry;
    expect(entry).toMatchObject({
      title: "2024-05-12 Zwift",
      sport: "cycling",
      subSport: "indoor",
      startTime: T0,
    });
    expect(entry.summary).toMatchObject({
      samples: 90,
      maxPower: 239,
      avgHeartRate: 120,
      distance: 534_000,
    });
    const workout = unwrap(await vault.workouts.open(entry.id));
    expect(Object.values(workout.metadata().devices)).toEqual([{ name: "Wahoo Fitness" }]);
    expect(workout.samples().columns.power[89]).toBe(239);

    const again = await vault.importFile({ name: "copy.fit", bytes: sdkFit() });
    expect(again.ok && again.value).toMatchObject({ status: "duplicate", workoutId: entry.id });
    unwrap(await vault.workouts.remove(entry.id));
    const fromBin = await vault.importFile({ name: "copy.fit", bytes: sdkFit() });
    expect(fromBin.ok && fromBin.value.status).toBe("duplicate");
    // A different ride starting at the same moment is not a duplicate.
    expect(vault.workouts.list({ deleted: true })).toHaveLength(1);
    const other = await vault.importFile({ name: "other.fit", bytes: sdkFit(0, 1) });
    expect(other.ok && other.value.status).toBe("imported");
    expect(vault.workouts.list({ deleted: true })).toHaveLength(2);
    await vault.close();
  });

  test("two imports of one ride at the same time add it once", async () => {
    const { vault } = await vaultWithStorage();
    const [a, b] = await Promise.all([
      vault.importFile({ name: "a.fit", bytes: sdkFit() }),
      vault.importFile({ name: "b.fit", bytes: sdkFit() }),
    ]);
    expect([a.ok && a.value.status, b.ok && b.value.status].sort()).toEqual([
      "duplicate",
      "imported",
    ]);
    expect(vault.workouts.list()).toHaveLength(1);
    await vault.close();
  });

  test.each([
    ["a truncated FIT", (fit: Uint8Array) => fit.subarray(0, fit.length - 40), "truncated"],
    [
      "a FIT with a bad CRC",
      (fit: Uint8Array) => fit.map((b, i) => (i === 200 ? b ^ 4 : b)),
      "bad-crc",
    ],
    [
      "malformed XML",
      () => new TextEncoder().encode(GPX.replace("</trkseg>", "")),
      "xml-malformed",
    ],
    ["a PNG", () => Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10]), "unknown-format"],
  ])("%s creates nothing", async (_, make, code) => {
    const { vault, storage } = await vaultWithStorage();
    const keysBefore = storage.keys().length;
    const result = await vault.importFile({ name: "bad.bin", bytes: make(sdkFit()) });
    expect(result.ok ? "imported" : result.error.code).toBe(code);
    expect(vault.workouts.list({ deleted: true })).toEqual([]);
    expect(storage.keys().length).toBe(keysBefore);
    await vault.close();
  });
});

describe("bulk import", () => {
  test("a zip: progress, one result per file, a bad file does not stop the rest", async () => {
    const { vault } = await vaultWithStorage();
    const zip = zipSync({
      "export/a.fit": sdkFit(),
      "export/b.gpx": new TextEncoder().encode(GPX),
      "export/broken.tcx": new TextEncoder().encode("<TrainingCenterDatabase><Activities>"),
      "export/c.fit.gz": gzipSync(sdkFit(3600)),
      "export/notes.txt": new TextEncoder().encode("not a ride"),
    });
    const progress: ImportProgress[] = [];
    const results = unwrap(await vault.importArchive(zip, { onProgress: (p) => progress.push(p) }));
    expect(results.map((r) => [r.name, r.ok ? r.outcome.status : r.error.code])).toEqual([
      ["export/a.fit", "imported"],
      ["export/b.gpx", "imported"],
      ["export/broken.tcx", "xml-malformed"],
      ["export/c.fit.gz", "imported"],
    ]);
    expect(progress[0]).toEqual({ done: 0, total: 4, current: "export/a.fit" });
    expect(progress.at(-1)).toEqual({ done: 4, total: 4, current: null });
    expect(
      vault.workouts
        .list()
        .map((e) => e.title)
        .sort(),
    ).toEqual(["Evening loop", "a", "c"]);
    await vault.close();
  });

  test("a folder, read file by file", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-import-"));
    try {
      await fs.mkdir(path.join(dir, "2024"));
      await fs.writeFile(path.join(dir, "2024", "ride.fit"), sdkFit());
      await fs.writeFile(path.join(dir, "evening.gpx"), GPX);
      await fs.writeFile(path.join(dir, "photo.jpg"), "jpeg");
      const sources = await readImportFolder(dir);
      expect(sources.map((s) => s.name)).toEqual([path.join("2024", "ride.fit"), "evening.gpx"]);
      const { vault } = await vaultWithStorage();
      const results = await vault.importFiles(sources);
      expect(results.every((r) => r.ok && r.outcome.status === "imported")).toBe(true);
      expect(vault.workouts.list()).toHaveLength(2);
      await vault.close();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

/** Records a ride with sub-second times, RR intervals, laps and tags: what FIT cannot keep. */
async function recordRichRide(vault: Vault, start: number, title: string): Promise<string> {
  const workout = unwrap(
    await vault.workouts.create({
      title,
      notes: "Hard & fast",
      startTime: start,
      tags: ["race"],
      settings: { ftp: 280 },
    }),
  );
  const recording = unwrap(await vault.workouts.record(workout.id));
  for (let i = 0; i < 400; i++) {
    const sample: Sample = {
      time: start + i * 1000 + (i % 7) * 13,
      power: 200 + (i % 90),
      heartRate: 140 + (i % 30),
      speed: 9000 + (i % 11) * 7,
      distance: i * 9001,
      lat: 473_000_000 + i * 37,
      lon: 85_000_000 - i * 41,
      altitude: 400_123 + i * 3,
      ...(i % 5 === 0 && { rr: [701, 699] }),
    };
    unwrap(await recording.append(sample));
  }
  await recording.finish();
  unwrap(workout.addLap({ start, end: start + 200_000, trigger: "manual" }));
  unwrap(workout.addLap({ start: start + 200_000, end: start + 399_000, trigger: "session-end" }));
  await vault.workouts.persist(workout.id);
  return workout.id;
}

describe("exportAll and importArchive", () => {
  test("the archive restores every workout with identical samples and metadata", async () => {
    const { vault } = await vaultWithStorage();
    const a = await recordRichRide(vault, T0, "Race");
    const b = await recordRichRide(vault, T0 + 86_400_000, "Binned");
    unwrap(await vault.workouts.remove(b));
    unwrap(await vault.workouts.create({ title: "Empty", startTime: T0 + 2 * 86_400_000 }));
    await vault.workouts.settle();

    const progress: ImportProgress[] = [];
    const zip = await vault.exportAll({ onProgress: (p) => progress.push(p), utcOffsetMinutes: 0 });
    expect(progress.at(-1)).toEqual({ done: 3, total: 3, current: null });
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual(
      [
        "README.md",
        "library.json",
        `workouts/${a}.fit`,
        `workouts/${a}.json`,
        `workouts/${b}.fit`,
        `workouts/${b}.json`,
      ]
        .concat(
          vault.workouts
            .list()
            .filter((e) => e.title === "Empty")
            .map((e) => `workouts/${e.id}.json`),
        )
        .sort(),
    );
    expect(strFromU8(files["README.md"] as Uint8Array)).toContain("workouts/<id>.json");
    const library = JSON.parse(strFromU8(files["library.json"] as Uint8Array));
    expect(library).toMatchObject({ format: "ridevault-library", version: 1, problems: [] });
    expect(library.workouts).toHaveLength(3);
    const json = workoutFromJson(JSON.parse(strFromU8(files[`workouts/${a}.json`] as Uint8Array)));
    expect(json.ok).toBe(true);

    const streamed: Uint8Array[] = [];
    const empty = await vault.exportAll({
      onData: (chunk) => streamed.push(chunk),
      utcOffsetMinutes: 0,
    });
    expect(empty.length).toBe(0);
    expect(Object.keys(unzipSync(concatBytes(streamed))).sort()).toEqual(Object.keys(files).sort());

    const { vault: restored } = await vaultWithStorage();
    const results = unwrap(await restored.importArchive(zip));
    expect(results.map((r) => r.ok && r.outcome.status)).toEqual([
      "imported",
      "imported",
      "imported",
    ]);
    for (const id of [a, b]) {
      const original = unwrap(await vault.workouts.open(id));
      const title = original.metadata().title;
      const copyEntry = restored.workouts.list({ deleted: true }).find((e) => e.title === title);
      const copy = unwrap(await restored.workouts.open(copyEntry?.id ?? ""));
      expect(copy.samples().columns).toEqual(original.samples().columns);
      const { createdAt, updatedAt, devices, laps, ...meta } = original.metadata();
      expect(copy.metadata()).toMatchObject(meta);
      expect(copy.metadata().laps.map(({ id, ...lap }) => lap)).toEqual(
        laps.map(({ id, ...lap }) => lap),
      );
      expect(copyEntry?.summary).toEqual(vault.workouts.get(id)?.summary);
    }
    const twice = unwrap(await restored.importArchive(zip));
    expect(twice.map((r) => r.ok && r.outcome.status)).toEqual([
      "duplicate",
      "duplicate",
      "duplicate",
    ]);
    expect(restored.workouts.list({ deleted: true })).toHaveLength(3);
    await vault.close();
    await restored.close();
  });

  test("a damaged JSON file falls back to the workout's FIT file", async () => {
    const { vault } = await vaultWithStorage();
    const id = await recordRichRide(vault, T0, "Race");
    const files = unzipSync(await vault.exportAll({ utcOffsetMinutes: 0 }));
    files[`workouts/${id}.json`] = new TextEncoder().encode('{"format":"ridevault-workout"');
    const { vault: restored } = await vaultWithStorage();
    const results = unwrap(await restored.importArchive(zipSync(files)));
    expect(results).toHaveLength(1);
    expect(results[0]?.name).toBe(`workouts/${id}.fit`);
    expect(restored.workouts.list()[0]?.summary?.samples).toBe(400);
    await vault.close();
    await restored.close();
  });

  test("a damaged zip fails before importing anything", async () => {
    const { vault } = await vaultWithStorage();
    const result = await vault.importArchive(Uint8Array.from([0x50, 0x4b, 3, 4, 1, 2, 3]));
    expect(result.ok ? "ok" : result.error.code).toBe("corrupt");
    expect(vault.workouts.list()).toEqual([]);
    await vault.close();
  });
});
