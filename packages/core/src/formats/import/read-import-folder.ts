/**
 * Node only (exported from `@ridevault/core/node`): the workout files of a folder and its
 * subfolders as import sources for `vault.importFiles`, sorted by path. Files are read when
 * their turn comes, so a folder of thousands of rides is never all in memory.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { ImportSource } from "../../vault/bulk-import.js";
import { IMPORTABLE_EXTENSION } from "./import-file.js";

/** Every `.fit`, `.tcx` or `.gpx` file (optionally `.gz`) under `directory`. */
export async function readImportFolder(directory: string): Promise<ImportSource[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && IMPORTABLE_EXTENSION.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort()
    .map((file) => ({
      name: path.relative(directory, file),
      read: async () => new Uint8Array(await readFile(file)),
    }));
}
