/**
 * Import by drop: FIT, TCX or GPX files (or a zip of them, or a "download all my data"
 * archive) dropped anywhere on the history, or chosen with the file picker (for keyboard
 * and touch users). Shows a progress bar while files are read and one result line per file.
 */
import { type DragEvent, useState } from "react";
import { useApp } from "../../app-context.js";
import { type ImportLine, type ImportStep, importFiles } from "../../import/import-files.js";
import { link } from "../../router.js";

/** An import in progress or done, and the handlers of the area that takes drops. */
export interface Importer {
  readonly step: ImportStep | null;
  readonly lines: readonly ImportLine[] | null;
  readonly dragging: boolean;
  start(files: readonly File[]): void;
  /** Spread onto the element that takes drops. */
  readonly dropZone: {
    onDragOver(event: DragEvent): void;
    onDragLeave(event: DragEvent): void;
    onDrop(event: DragEvent): void;
  };
}

/** The state of the history's import. */
export function useImporter(): Importer {
  const { vault } = useApp();
  const [step, setStep] = useState<ImportStep | null>(null);
  const [lines, setLines] = useState<readonly ImportLine[] | null>(null);
  const [dragging, setDragging] = useState(false);
  const start = (files: readonly File[]) => {
    if (files.length === 0 || step) return;
    setLines(null);
    setStep({ done: 0, total: files.length, current: files[0]?.name ?? null, archive: null });
    void importFiles(vault, files, setStep)
      .then(setLines)
      .catch((error: unknown) =>
        setLines([{ name: "Import", status: "failed", text: (error as Error).message }]),
      )
      .finally(() => setStep(null));
  };
  const carriesFiles = (event: DragEvent) => event.dataTransfer.types.includes("Files");
  return {
    step,
    lines,
    dragging,
    start,
    dropZone: {
      onDragOver(event) {
        if (!carriesFiles(event)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = "copy";
        setDragging(true);
      },
      onDragLeave(event) {
        if (event.currentTarget.contains(event.relatedTarget as Node | null)) return;
        setDragging(false);
      },
      onDrop(event) {
        if (!carriesFiles(event)) return;
        event.preventDefault();
        setDragging(false);
        start([...event.dataTransfer.files]);
      },
    },
  };
}

/** The picker, the drop hint, the progress and the results. */
export function ImportPanel({ importer }: { readonly importer: Importer }) {
  const { step, lines } = importer;
  return (
    <section aria-labelledby="import-title" className="import">
      <h2 id="import-title" className="visually-hidden">
        Import rides
      </h2>
      <div className="inline-form">
        <label htmlFor="import-files">
          Import rides: drop FIT, TCX or GPX files (or a zip) here, or choose them
        </label>
        <input
          id="import-files"
          type="file"
          multiple
          accept=".fit,.tcx,.gpx,.gz,.zip"
          disabled={step !== null}
          onChange={(event) => {
            importer.start([...(event.target.files ?? [])]);
            event.target.value = "";
          }}
        />
      </div>
      {step && (
        <div aria-live="polite" data-testid="import-progress">
          <progress value={step.done} max={Math.max(step.total, 1)} />{" "}
          {step.current
            ? `Importing ${Math.min(step.done + 1, step.total)} of ${step.total}: ${step.archive ? `${step.archive} › ` : ""}${step.current}`
            : "Finishing…"}
        </div>
      )}
      {lines && (
        <ul className="import-results" aria-label="Import results" data-testid="import-results">
          {lines.map((line) => (
            <li key={`${line.name}|${line.status}|${line.text}`} data-status={line.status}>
              <strong>{line.name}</strong>: {line.text}
              {line.workoutId && line.status === "imported" && (
                <>
                  {" "}
                  <a
                    href={`/workouts/${line.workoutId}`}
                    onClick={link(`/workouts/${line.workoutId}`)}
                  >
                    Open
                  </a>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {lines?.some((line) => line.status === "failed") && (
        <p role="alert">
          {lines.filter((line) => line.status === "failed").length} of {lines.length} files could
          not be imported; see why above.
        </p>
      )}
    </section>
  );
}
