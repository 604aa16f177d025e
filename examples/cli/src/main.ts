#!/usr/bin/env node
/**
 * `ridevault`: a local vault of workouts on the command line. Composition only — every
 * behaviour lives in `@ridevault/core`.
 *
 *     ridevault [--dir DIR] <command> [arguments]
 */
import { writeFile } from "node:fs/promises";
import {
  columnsToSamples,
  exportFit,
  exportGpx,
  exportTcx,
  type LibraryEntry,
  openNodeVault,
  SCALAR_FIELDS,
  startSync,
  type Vault,
  type WebSocketClass,
} from "@ridevault/core/node";
import { WebSocket } from "ws";
import { demoRide } from "./demo-ride.js";
import { exportAllTo, importPath } from "./transfer.js";

const HELP = `ridevault — your rides, on this device first

usage: ridevault [--dir DIR] <command> [arguments]

  list [--bin]                 workouts, newest first (--bin: the deleted ones)
  new [--title T]              create an empty workout
  record-demo [--minutes N] [--title T]
                               record a simulated ride (1 Hz) as a recorder would
  show <id>                    metadata, laps and summary of a workout
  samples <id>                 the samples as CSV (units: ms, W, bpm, rpm, mm/s, mm, 1e-7°, mm)
  export <id> [--format fit|tcx|gpx] [--out FILE]
                               the workout as a FIT activity file (default <id>.fit) for
                               Strava, Garmin Connect or intervals.icu, TCX, or GPX (GPS rides)
  import <file|folder|zip>     import FIT, TCX or GPX rides (a file, every such file in a
                               folder, a zip of them, or an "export-all" archive)
  export-all <out.zip>         all your data: every workout as JSON and FIT, the library,
                               and a README explaining the layout
  rename <id> <title>          change the title
  remove <id> | restore <id>   move to the bin and back
  purge <id>                   delete for good

  sync [--relay URL] [--timeout S]
                               sync with a relay until everything is in step, then exit
  invite                       print an invite for another device (treat it like a password)
  join <invite> [--relay URL]  make this (new) vault a copy of another device's, and sync

The vault lives in --dir, else $RIDEVAULT_DIR, else ./.ridevault. The relay is --relay,
else $RIDEVAULT_RELAY, else ws://127.0.0.1:8787/sync (what "npm start" serves).`;

const VALUE_FLAGS = new Set([
  "--dir",
  "--title",
  "--minutes",
  "--relay",
  "--timeout",
  "--out",
  "--format",
]);

interface Parsed {
  readonly dir: string;
  readonly command: string;
  readonly positional: string[];
  readonly flags: Map<string, string | true>;
}

function parse(argv: readonly string[]): Parsed {
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const next = argv[i + 1];
    const takesValue = VALUE_FLAGS.has(arg);
    if (takesValue && next !== undefined) {
      flags.set(arg.slice(2), next);
      i++;
    } else {
      flags.set(arg.slice(2), true);
    }
  }
  const dir = flags.get("dir");
  return {
    dir: typeof dir === "string" ? dir : (process.env.RIDEVAULT_DIR ?? ".ridevault"),
    command: positional.shift() ?? "list",
    positional,
    flags,
  };
}

function fail(message: string): never {
  process.stderr.write(`ridevault: ${message}\n`);
  process.exit(1);
}

const pad = (text: string, width: number): string => text.padEnd(width).slice(0, width);

function formatDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, "0")}`;
}

function formatEntry(entry: LibraryEntry): string {
  const s = entry.summary;
  const date = new Date(entry.startTime).toISOString().slice(0, 16).replace("T", " ");
  const km = s?.distance != null ? `${(s.distance / 1e6).toFixed(1)} km` : "–";
  const watts = s?.avgPower != null ? `${s.avgPower} W` : "–";
  const time = s ? formatDuration(s.timerMs) : "–";
  return `${date}  ${pad(entry.title || "(untitled)", 28)} ${pad(time, 6)} ${pad(km, 9)} ${pad(watts, 6)} ${entry.id}`;
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  if (args.command === "help" || args.flags.has("help")) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const join =
    args.command === "join" ? (args.positional[0] ?? fail("join needs an invite")) : undefined;
  const opened = await openNodeVault({
    directory: args.dir,
    deviceName: "ridevault CLI",
    ...(join !== undefined && { join }),
  });
  if (!opened.ok) fail(opened.error.message);
  const vault = opened.value;
  for (const { workoutId, samples } of vault.recovery.recovered) {
    process.stderr.write(`recovered ${samples} unsaved samples into ${workoutId}\n`);
  }
  try {
    await run(vault, args);
  } finally {
    await vault.close();
  }
}

async function run(vault: Vault, args: Parsed): Promise<void> {
  const id = args.positional[0];
  const needId = (): string =>
    id ?? fail(`${args.command} needs a workout id (see "ridevault list")`);
  const title = args.flags.get("title");
  switch (args.command) {
    case "list": {
      const entries = vault.workouts.list({ deleted: args.flags.has("bin") ? "only" : false });
      if (entries.length === 0) {
        process.stdout.write(
          'no workouts yet: try "ridevault record-demo" (or "ridevault help")\n',
        );
      }
      for (const entry of entries) process.stdout.write(`${formatEntry(entry)}\n`);
      return;
    }
    case "new": {
      const created = await vault.workouts.create({
        title: typeof title === "string" ? title : "",
      });
      if (!created.ok) fail(created.error.message);
      process.stdout.write(`${created.value.id}\n`);
      return;
    }
    case "record-demo": {
      const minutes = Number(args.flags.get("minutes") ?? 20);
      if (!Number.isInteger(minutes) || minutes < 1 || minutes > 24 * 60) {
        fail("--minutes must be a whole number from 1 to 1440");
      }
      const start = Date.now() - minutes * 60_000;
      const created = await vault.workouts.create({
        title: typeof title === "string" ? title : `Demo ride (${minutes} min)`,
        startTime: start,
        subSport: "indoor",
      });
      if (!created.ok) fail(created.error.message);
      const recording = await vault.workouts.record(created.value.id);
      if (!recording.ok) fail(recording.error.message);
      const seconds = minutes * 60;
      let done = 0;
      for (const sample of demoRide(start, seconds)) {
        const appended = await recording.value.append(sample);
        if (!appended.ok) fail(appended.error.message);
        done++;
        if (done % Math.ceil(seconds / 10) === 0) {
          process.stderr.write(`recorded ${Math.round((100 * done) / seconds)} %\n`);
        }
      }
      await recording.value.finish();
      const entry = vault.workouts.get(created.value.id);
      if (entry) process.stdout.write(`${formatEntry(entry)}\n`);
      return;
    }
    case "show": {
      const opened = await vault.workouts.open(needId());
      if (!opened.ok) fail(opened.error.message);
      const workout = opened.value;
      process.stdout.write(
        `${JSON.stringify({ id: workout.id, ...workout.metadata(), summary: workout.summary() }, null, 2)}\n`,
      );
      return;
    }
    case "samples": {
      const opened = await vault.workouts.open(needId());
      if (!opened.ok) fail(opened.error.message);
      const read = opened.value.samples();
      for (const problem of read.problems)
        process.stderr.write(`damaged chunk ${problem.key}: ${problem.message}\n`);
      process.stdout.write(`time,${SCALAR_FIELDS.join(",")},rr\n`);
      for (const sample of columnsToSamples(read.columns)) {
        const values = SCALAR_FIELDS.map((field) => sample[field] ?? "");
        process.stdout.write(`${sample.time},${values.join(",")},${(sample.rr ?? []).join(" ")}\n`);
      }
      return;
    }
    case "export": {
      const opened = await vault.workouts.open(needId());
      if (!opened.ok) fail(opened.error.message);
      const workout = opened.value;
      const read = workout.samples();
      if (read.problems.length > 0)
        fail(`${read.problems.length} damaged chunks; not exporting a partial ride`);
      const format = args.flags.get("format") ?? "fit";
      let bytes: Uint8Array;
      if (format === "fit") {
        bytes = exportFit({ metadata: workout.metadata(), columns: read.columns });
      } else if (format === "tcx") {
        bytes = new TextEncoder().encode(
          exportTcx({ metadata: workout.metadata(), columns: read.columns }),
        );
      } else if (format === "gpx") {
        const gpx = exportGpx({ metadata: workout.metadata(), columns: read.columns });
        if (!gpx.ok) fail(gpx.error.message);
        bytes = new TextEncoder().encode(gpx.value);
      } else {
        fail(`--format must be fit, tcx or gpx, not "${String(format)}"`);
      }
      const out = args.flags.get("out");
      const file = typeof out === "string" ? out : `${workout.id}.${format}`;
      await writeFile(file, bytes);
      process.stdout.write(`${file} (${bytes.length} bytes)\n`);
      return;
    }
    case "import": {
      const target = id ?? fail("import needs a file, folder or zip");
      const failed = await importPath(vault, target).catch((error: Error) => fail(error.message));
      if (failed > 0) process.exitCode = 1;
      return;
    }
    case "export-all": {
      const file = id ?? fail("export-all needs an output file, e.g. my-rides.zip");
      const size = await exportAllTo(vault, file);
      process.stdout.write(`${file} (${size} bytes)\n`);
      return;
    }
    case "rename": {
      const newTitle = args.positional.slice(1).join(" ");
      const updated = await vault.workouts.update(needId(), { title: newTitle });
      if (!updated.ok) fail(updated.error.message);
      return;
    }
    case "remove":
    case "restore": {
      const result = await vault.workouts[args.command](needId());
      if (!result.ok) fail(result.error.message);
      return;
    }
    case "purge": {
      const result = await vault.workouts.purge(needId());
      if (!result.ok) fail(result.error.message);
      return;
    }
    case "invite":
      process.stdout.write(`${await vault.invite()}\n`);
      return;
    case "join":
    case "sync":
      await sync(vault, args);
      return;
    default:
      fail(`unknown command "${args.command}"; see "ridevault help"`);
  }
}

/** Syncs until everything is in step (or the timeout), printing status changes. */
async function sync(vault: Vault, args: Parsed): Promise<void> {
  const relay = args.flags.get("relay");
  const url =
    typeof relay === "string" ? relay : (process.env.RIDEVAULT_RELAY ?? "ws://127.0.0.1:8787/sync");
  const timeout = Number(args.flags.get("timeout") ?? 60);
  const engine = await startSync(vault, { url, WebSocket: WebSocket as unknown as WebSocketClass });
  engine.onStatus((status) => {
    const error = status.lastError ? ` — ${status.lastError.message}` : "";
    process.stderr.write(`sync: ${status.state}, ${status.pending} pending${error}\n`);
  });
  try {
    // "synced" also waits for the workouts the library lists to be fetched.
    await engine.whenSynced(timeout * 1000);
    process.stdout.write(`in step with ${url}: ${vault.workouts.list().length} workouts\n`);
  } catch (error) {
    fail(`${(error as Error).message}; is the relay running at ${url}? ("npm start" starts one)`);
  } finally {
    await engine.stop();
  }
}

await main();
