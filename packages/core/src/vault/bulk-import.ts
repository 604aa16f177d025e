/**
 * Bulk import: many workout files — a folder (see `readImportFolder` in
 * `@ridevault/core/node`) or a zip archive — one after another, with progress and a result
 * per file. A bad file is reported and skipped; it never stops the rest, and each file is
 * added all-or-nothing (see import-workout.ts). Files are read one at a time, so a folder of
 * thousands of rides is never all in memory.
 */
import { unzipSync } from "fflate";
import { IMPORTABLE_EXTENSION } from "../formats/import/import-file.js";
import { type ImportError, importError } from "../formats/import/imported-workout.js";
import { err, ok, type Result } from "../result.js";
import {
  type ImportContext,
  type ImportOutcome,
  type ImportStoreError,
  importFileIntoVault,
} from "./import-workout.js";

/** A file to import, read only when its turn comes. */
export interface ImportSource {
  readonly name: string;
  read(): Promise<Uint8Array>;
}

/** Where a bulk import stands: `done` of `total` files finished, `current` being read. */
export interface ImportProgress {
  readonly done: number;
  readonly total: number;
  /** The file being imported now; null once all are done. */
  readonly current: string | null;
}

/** The result for one file of a bulk import. */
export type FileImportResult =
  | { readonly name: string; readonly ok: true; readonly outcome: ImportOutcome }
  | { readonly name: string; readonly ok: false; readonly error: ImportError | ImportStoreError };

/** Options of a bulk import. */
export interface BulkImportOptions {
  readonly onProgress?: (progress: ImportProgress) => void;
}

/** Imports every source in order; resolves with one result per source. */
export async function importSources(
  ctx: ImportContext,
  sources: readonly ImportSource[],
  options: BulkImportOptions = {},
): Promise<FileImportResult[]> {
  const results: FileImportResult[] = [];
  const total = sources.length;
  for (const source of sources) {
    options.onProgress?.({ done: results.length, total, current: source.name });
    let bytes: Uint8Array;
    try {
      bytes = await source.read();
    } catch (error) {
      results.push({
        name: source.name,
        ok: false,
        error: {
          code: "store-failed",
          message: `${source.name} could not be read: ${(error as Error).message}`,
        },
      });
      continue;
    }
    const imported = await importFileIntoVault(ctx, { name: source.name, bytes });
    results.push(
      imported.ok
        ? { name: source.name, ok: true, outcome: imported.value }
        : { name: source.name, ok: false, error: imported.error },
    );
  }
  options.onProgress?.({ done: total, total, current: null });
  return results;
}

/** Largest file taken out of a zip (a 24-hour ride is ~10 MB of TCX): guards against zip bombs. */
export const MAX_UNZIPPED_FILE_BYTES = 256 * 1024 * 1024;

/**
 * The entries of a zip archive whose names match `keep` (by default: workout files), as
 * import sources. A damaged archive, or an entry larger than `MAX_UNZIPPED_FILE_BYTES`,
 * fails the whole call: nothing has been imported yet at that point.
 */
export function zipSources(
  bytes: Uint8Array,
  keep: (name: string) => boolean = (name) => IMPORTABLE_EXTENSION.test(name),
): Result<ImportSource[], ImportError> {
  let tooLarge: string | undefined;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (file) => {
        if (file.name.endsWith("/") || file.name.startsWith("__MACOSX/") || !keep(file.name))
          return false;
        if (file.originalSize > MAX_UNZIPPED_FILE_BYTES) tooLarge ??= file.name;
        return file.originalSize <= MAX_UNZIPPED_FILE_BYTES;
      },
    });
  } catch (error) {
    return importError("corrupt", `the zip archive is damaged: ${(error as Error).message}`);
  }
  if (tooLarge !== undefined) {
    return err({
      code: "corrupt",
      message: `${tooLarge} in the zip archive is larger than ${MAX_UNZIPPED_FILE_BYTES} bytes; unpack it and import the files instead`,
    });
  }
  return ok(
    Object.keys(files)
      .sort()
      .map((name) => ({ name, read: async () => files[name] as Uint8Array })),
  );
}
