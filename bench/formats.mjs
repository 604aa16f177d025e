// bench/formats: export and import of a 4-hour and a 24-hour ride at 1 Hz (with GPS) in FIT,
// TCX and GPX; our FIT size next to Garmin's FIT SDK encoder writing the same records;
// importing the 24-hour FIT into a vault (parse, validate, build the document, store it);
// "all my data" for a vault holding both rides; and the mean-maximal power curve of the
// 24-hour ride (goal: ≤ 100 ms). Each timing is the median of a few runs.
// Run: npm run bench -- formats
// The FIT SDK is a development dependency of @ridevault/core, not of the workspace root.

import { metadataFixture } from "../packages/core/dist/formats/testing-fixtures.js";
import {
  createSeededRandom,
  exportFit,
  exportGpx,
  exportTcx,
  importFit,
  importGpx,
  importTcx,
  MemoryCrashLog,
  MemoryStorageAdapter,
  meanMaxPower,
  openVault,
  resampleTo1Hz,
  samplesToColumns,
} from "../packages/core/dist/index.js";
import { Encoder, Profile } from "../packages/core/node_modules/@garmin/fitsdk/src/index.js";
import { rideSamples } from "./ride.mjs";

const START = Date.UTC(2026, 5, 1, 6, 0, 0);
const RUNS = 3;

/** The reference ride plus a GPS track and altitude, so GPX has something to write. */
function rideWithGps(hours) {
  return [...rideSamples(START, hours * 3600)].map((s, i) => ({
    ...s,
    lat: 473_000_000 + Math.round(Math.sin(i / 5000) * 2_000_000),
    lon: 85_000_000 + Math.round(i * 7.3),
    altitude: 420_000 + Math.round(Math.sin(i / 700) * 80_000),
  }));
}

function metadataFor(start) {
  return metadataFixture(start, { title: "Bench ride", subSport: "road", settings: { ftp: 250 } });
}

/** An in-memory vault; `seed` makes its ids reproducible. */
async function memoryVault(seed) {
  const opened = await openVault({
    storage: new MemoryStorageAdapter(),
    crashLog: new MemoryCrashLog(),
    random: createSeededRandom(seed),
  });
  return opened.value;
}

function median(fn) {
  const times = [];
  let result;
  for (let k = 0; k < RUNS; k++) {
    const t = performance.now();
    result = fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], result };
}

/** Garmin's SDK encoder writing the same records and minimal activity messages. */
function sdkFit(samples) {
  const encoder = new Encoder();
  const at = (ms) => new Date(ms);
  const first = samples[0].time;
  const last = samples[samples.length - 1].time;
  encoder.writeMesg({
    mesgNum: Profile.MesgNum.FILE_ID,
    type: "activity",
    manufacturer: "development",
    product: 0,
    timeCreated: at(first),
  });
  for (const s of samples) {
    encoder.writeMesg({
      mesgNum: Profile.MesgNum.RECORD,
      timestamp: at(s.time),
      positionLat: Math.round((s.lat / 1e7) * (2 ** 31 / 180)),
      positionLong: Math.round((s.lon / 1e7) * (2 ** 31 / 180)),
      altitude: s.altitude / 1000,
      heartRate: s.heartRate,
      cadence: s.cadence,
      distance: s.distance / 1000,
      speed: s.speed / 1000,
      power: s.power,
    });
  }
  encoder.writeMesg({ mesgNum: Profile.MesgNum.LAP, timestamp: at(last), startTime: at(first) });
  encoder.writeMesg({
    mesgNum: Profile.MesgNum.SESSION,
    timestamp: at(last),
    startTime: at(first),
    sport: "cycling",
  });
  encoder.writeMesg({ mesgNum: Profile.MesgNum.ACTIVITY, timestamp: at(last), numSessions: 1 });
  return encoder.close();
}

const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KB`;
const ms = (value) => `${value.toFixed(0)} ms`;

const vault = await memoryVault(1);

// Warm up the vault path (Automerge's first document costs extra) with a 10-minute ride.
const warmSamples = rideWithGps(1).slice(0, 600);
await vault.importFile({
  name: "warm-up.fit",
  bytes: exportFit({
    metadata: metadataFor(START),
    columns: samplesToColumns(warmSamples),
    utcOffsetMinutes: 0,
  }),
});

for (const hours of [4, 24]) {
  const samples = rideWithGps(hours);
  const columns = samplesToColumns(samples);
  const metadata = metadataFor(START);
  const fit = median(() => exportFit({ metadata, columns, utcOffsetMinutes: 0 }));
  const tcx = median(() => exportTcx({ metadata, columns }));
  const gpx = median(() => exportGpx({ metadata, columns }).value);
  const sdk = median(() => sdkFit(samples));
  const fitIn = median(() => importFit(fit.result));
  const tcxIn = median(() => importTcx(tcx.result));
  const gpxIn = median(() => importGpx(gpx.result));
  for (const read of [fitIn, tcxIn, gpxIn]) {
    if (!read.result.ok || read.result.value.samples.length !== samples.length) {
      throw new Error(`import lost samples: ${JSON.stringify(read.result.error ?? "")}`);
    }
  }
  console.log(`${hours} h ride, ${samples.length} samples with GPS`);
  console.log(
    `  FIT  export ${ms(fit.ms)}, import ${ms(fitIn.ms)}, ${kb(fit.result.length)} (Garmin SDK encoder: ${kb(sdk.result.length)} in ${ms(sdk.ms)}; ours is ${(fit.result.length / sdk.result.length).toFixed(2)}×)`,
  );
  console.log(`  TCX  export ${ms(tcx.ms)}, import ${ms(tcxIn.ms)}, ${kb(tcx.result.length)}`);
  console.log(`  GPX  export ${ms(gpx.ms)}, import ${ms(gpxIn.ms)}, ${kb(gpx.result.length)}`);
  const t = performance.now();
  const added = await vault.importFile({ name: `${hours}h.fit`, bytes: fit.result });
  if (!added.ok) throw new Error(added.error.message);
  console.log(
    `  vault.importFile(FIT): ${ms(performance.now() - t)} (parse, validate, build the document, store it with its summary)`,
  );
  if (hours === 24) {
    const curve = median(() => meanMaxPower(resampleTo1Hz(columns, "power")));
    const best20 = curve.result.find((p) => p.durationS === 1200);
    console.log(
      `  power curve (resample + ${curve.result.length} durations): ${ms(curve.ms)} (goal ≤ 100 ms); best 20 min ${best20?.watts.toFixed(0)} W`,
    );
  }
}

const t = performance.now();
const archive = await vault.exportAll({ utcOffsetMinutes: 0 });
console.log(
  `exportAll (4 h + 24 h rides + the warm-up): ${ms(performance.now() - t)}, ${kb(archive.length)}`,
);
const restored = await memoryVault(2);
const t2 = performance.now();
const results = await restored.importArchive(archive);
console.log(
  `importArchive: ${ms(performance.now() - t2)}, ${results.value.filter((r) => r.ok).length} workouts restored`,
);
await vault.close();
await restored.close();
