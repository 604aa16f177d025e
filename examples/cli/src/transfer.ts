/**
 * The `import` and `export-all` commands: composition only — reading and writing files and
 * printing progress; parsing, deduplication and the archive layout live in `@ridevault/core`.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import {
  type FileImportResult,
  type ImportProgress,
  readImportFolder,
  type Vault,
} from "@ridevault/core/node";

function progress(p: ImportProgress): void {
  if (p.current !== null) process.stderr.write(`[${p.done + 1}/${p.total}] ${p.current}\n`);
}

/**
 * Imports a FIT/TCX/GPX file, every such file under a folder, or a zip (a ridevault archive
 * or a zip of workout files). Prints one line per file; returns how many failed.
 */
export async function importPath(vault: Vault, target: string): Promise<number> {
  const info = await stat(target);
  let results: FileImportResult[];
  if (info.isDirectory()) {
    results = await vault.importFiles(await readImportFolder(target), { onProgress: progress });
  } else {
    const bytes = new Uint8Array(await readFile(target));
    const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b;
    if (isZip) {
      const archive = await vault.importArchive(bytes, { onProgress: progress });
      if (!archive.ok) throw new Error(archive.error.message);
      results = archive.value;
    } else {
      const name = path.basename(target);
      results = await vault.importFiles([{ name, read: async () => bytes }]);
    }
  }
  let failed = 0;
  for (const result of results) {
    if (result.ok) {
      const { status, entry } = result.outcome;
      const verb = status === "imported" ? "imported" : "already here";
      process.stdout.write(`${verb}: ${result.name} → ${entry.id} "${entry.title}"\n`);
    } else {
      failed++;
      process.stdout.write(`failed: ${result.name}: ${result.error.message}\n`);
    }
  }
  const imported = results.filter((r) => r.ok && r.outcome.status === "imported").length;
  process.stderr.write(
    `${imported} imported, ${results.length - imported - failed} already here, ${failed} failed\n`,
  );
  return failed;
}

/** Writes "all my data" to `file` as the archive is produced; returns its size in bytes. */
export async function exportAllTo(vault: Vault, file: string): Promise<number> {
  const fd = openSync(file, "w");
  let size = 0;
  try {
    await vault.exportAll({
      onProgress: progress,
      onData: (chunk) => {
        writeSync(fd, chunk);
        size += chunk.length;
      },
    });
  } finally {
    closeSync(fd);
  }
  return size;
}
