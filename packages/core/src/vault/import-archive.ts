/**
 * Restoring an "all my data" archive (see export-all.ts). Each workout is recreated from
 * its lossless JSON file — identical samples, metadata, laps, tags and bin state — and gets
 * a new id (the original id may still exist on the rider's other devices, and two unrelated
 * documents must never share one). A workout whose JSON is missing or damaged falls back to
 * its FIT file. Rides already in the vault (same start time and samples) are skipped.
 *
 * A zip that is not a ridevault archive (a folder of FIT/TCX/GPX files zipped, or another
 * service's export) is bulk-imported file by file instead.
 */
import { LIBRARY_JSON_FORMAT, LIBRARY_PATH } from "../formats/archive/archive-layout.js";
import { type DecodedWorkoutJson, workoutFromJson } from "../formats/archive/workout-json.js";
import { IMPORTABLE_EXTENSION } from "../formats/import/import-file.js";
import { type ImportError, importError } from "../formats/import/imported-workout.js";
import type { Result } from "../result.js";
import { ok } from "../result.js";
import { metadataFields } from "../workout/metadata.js";
import {
  type BulkImportOptions,
  type FileImportResult,
  type ImportSource,
  importSources,
  zipSources,
} from "./bulk-import.js";
import {
  addDraft,
  type ImportContext,
  importFileIntoVault,
  type WorkoutDraft,
} from "./import-workout.js";

const WORKOUT_FILE = /^workouts\/([^/]+)\.(json|fit)$/;

/** Restores an archive (or bulk-imports a zip of workout files); one result per workout. */
export async function importArchive(
  ctx: ImportContext,
  bytes: Uint8Array,
  options: BulkImportOptions = {},
): Promise<Result<FileImportResult[], ImportError>> {
  const sources = zipSources(
    bytes,
    (name) => name === LIBRARY_PATH || WORKOUT_FILE.test(name) || IMPORTABLE_EXTENSION.test(name),
  );
  if (!sources.ok) return sources;
  const byName = new Map(sources.value.map((s) => [s.name, s]));
  const library = byName.get(LIBRARY_PATH);
  if (!library || !(await isLibrary(library))) {
    const files = sources.value.filter((s) => IMPORTABLE_EXTENSION.test(s.name));
    if (files.length === 0) {
      return importError(
        "unknown-format",
        "the zip holds no ridevault archive and no FIT, TCX or GPX file",
      );
    }
    return ok(await importSources(ctx, files, options));
  }
  const ids = [
    ...new Set(
      sources.value.map((s) => WORKOUT_FILE.exec(s.name)?.[1]).filter((id) => id !== undefined),
    ),
  ].sort();
  const results: FileImportResult[] = [];
  for (const id of ids) {
    const jsonSource = byName.get(`workouts/${id}.json`);
    const fitSource = byName.get(`workouts/${id}.fit`);
    const name = jsonSource?.name ?? fitSource?.name ?? id;
    options.onProgress?.({ done: results.length, total: ids.length, current: name });
    results.push(await restoreOne(ctx, name, jsonSource, fitSource));
  }
  options.onProgress?.({ done: ids.length, total: ids.length, current: null });
  return ok(results);
}

async function isLibrary(source: ImportSource): Promise<boolean> {
  try {
    const value = JSON.parse(new TextDecoder().decode(await source.read())) as { format?: unknown };
    return value.format === LIBRARY_JSON_FORMAT;
  } catch {
    return false;
  }
}

async function restoreOne(
  ctx: ImportContext,
  name: string,
  jsonSource: ImportSource | undefined,
  fitSource: ImportSource | undefined,
): Promise<FileImportResult> {
  let jsonError: string | undefined;
  if (jsonSource) {
    const decoded = await readWorkoutJson(jsonSource);
    if (decoded.ok) {
      const added = await addDraft(ctx, draftFromJson(decoded.value));
      return added.ok
        ? { name, ok: true, outcome: added.value }
        : { name, ok: false, error: added.error };
    }
    jsonError = decoded.error.message;
  }
  if (fitSource) {
    const imported = await importFileIntoVault(ctx, {
      name: fitSource.name,
      bytes: await fitSource.read(),
    });
    if (imported.ok) return { name: fitSource.name, ok: true, outcome: imported.value };
    return { name, ok: false, error: imported.error };
  }
  return {
    name,
    ok: false,
    error: { code: "corrupt", message: jsonError ?? `${name} is missing` },
  };
}

async function readWorkoutJson(
  source: ImportSource,
): Promise<Result<DecodedWorkoutJson, ImportError>> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(await source.read()));
  } catch (error) {
    return importError("corrupt", `${source.name} is not valid JSON: ${(error as Error).message}`);
  }
  const decoded = workoutFromJson(value);
  return decoded.ok ? decoded : importError("corrupt", `${source.name}: ${decoded.error.message}`);
}

function draftFromJson(json: DecodedWorkoutJson): WorkoutDraft {
  const m = json.metadata;
  return {
    ...metadataFields(m),
    laps: json.laps,
    deviceName: m.devices[0] ?? "archive",
    samples: json.samples,
    deletedAt: m.deletedAt,
  };
}
