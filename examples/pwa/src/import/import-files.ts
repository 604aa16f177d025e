/**
 * Importing files the rider dropped or picked: FIT, TCX and GPX files (gzipped or not) go
 * through the vault's bulk import, a zip through its archive import (a "download all my
 * data" archive is restored losslessly; any other zip is searched for workout files). Each
 * file gets one result line; a bad file never stops the others.
 */
import type { FileImportResult, ImportProgress, Vault } from "@ridevault/core/browser";

/** The result of one imported file. */
export interface ImportLine {
  /** The file's name (`archive.zip › ride.fit` for a file inside a zip). */
  readonly name: string;
  readonly status: "imported" | "duplicate" | "failed";
  /** What happened, as the rider reads it. */
  readonly text: string;
  /** The workout made or found, when there is one. */
  readonly workoutId?: string;
}

/** Where an import stands, for a progress bar. */
export interface ImportStep extends ImportProgress {
  /** The zip being unpacked, when the current file comes from one. */
  readonly archive: string | null;
}

/** A dropped or picked file: a name and its bytes, read when its turn comes. */
export interface PickedFile {
  readonly name: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

const ZIP = /\.zip$/i;

/** Imports `files` into `vault` one by one; resolves with one line per workout file. */
export async function importFiles(
  vault: Vault,
  files: readonly PickedFile[],
  onStep: (step: ImportStep) => void = () => undefined,
): Promise<ImportLine[]> {
  const lines: ImportLine[] = [];
  const singles = files.filter((file) => !ZIP.test(file.name));
  if (singles.length > 0) {
    const results = await vault.importFiles(
      singles.map((file) => ({ name: file.name, read: () => readBytes(file) })),
      { onProgress: (progress) => onStep({ ...progress, archive: null }) },
    );
    lines.push(...results.map((result) => lineOf(result)));
  }
  for (const zip of files.filter((file) => ZIP.test(file.name))) {
    let bytes: Uint8Array;
    try {
      bytes = await readBytes(zip);
    } catch (error) {
      lines.push(failed(zip.name, `could not be read: ${(error as Error).message}`));
      continue;
    }
    const results = await vault.importArchive(bytes, {
      onProgress: (progress) => onStep({ ...progress, archive: zip.name }),
    });
    if (!results.ok) lines.push(failed(zip.name, results.error.message));
    else if (results.value.length === 0)
      lines.push(failed(zip.name, "has no FIT, TCX or GPX files (nor a ridevault archive) in it"));
    else lines.push(...results.value.map((result) => lineOf(result, zip.name)));
  }
  return lines;
}

async function readBytes(file: PickedFile): Promise<Uint8Array> {
  return new Uint8Array(await file.arrayBuffer());
}

function lineOf(result: FileImportResult, archive?: string): ImportLine {
  const name = archive ? `${archive} › ${result.name}` : result.name;
  if (!result.ok) return failed(name, result.error.message, result.name);
  const { outcome } = result;
  const title = outcome.entry.title || "Untitled ride";
  return outcome.status === "imported"
    ? { name, status: "imported", text: `imported as “${title}”`, workoutId: outcome.workoutId }
    : {
        name,
        status: "duplicate",
        text: `already in your rides as “${title}”, not added again`,
        workoutId: outcome.workoutId,
      };
}

function failed(name: string, message: string, fileName = name): ImportLine {
  // Core's messages often start with the file's name; the line shows the name already.
  const text = message.startsWith(`${fileName} `) ? message.slice(fileName.length + 1) : message;
  return { name, status: "failed", text };
}
