/**
 * One workout: its title (editable), the library summary, the analysis, export downloads and
 * delete. The workout is re-read whenever the library changes, so edits merged from another
 * device show up while the page is open.
 */
import type { LibraryEntry, Workout } from "@ridevault/core/browser";
import { type FormEvent, useEffect, useState } from "react";
import { useApp, useVaultVersion } from "../app-context.js";
import {
  downloadFile,
  EXPORT_FORMATS,
  type ExportFormat,
  exportWorkout,
} from "../export/download-export.js";
import { formatDateTime, formatDuration, formatKm, formatKmh, formatValue } from "../format.js";
import { navigate } from "../router.js";
import { RideAnalysis } from "./RideAnalysis.js";

/** The page of workout `id`. */
export function WorkoutPage({ id }: { readonly id: string }) {
  const { vault, settings } = useApp();
  const version = useVaultVersion(vault);
  const entry = vault.workouts.get(id);
  const [workout, setWorkout] = useState<Workout | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [revision, setRevision] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: version marks library changes
  useEffect(() => {
    let current = true;
    void vault.workouts.open(id).then((opened) => {
      if (!current) return;
      if (opened.ok) {
        setWorkout(opened.value);
        setProblem(null);
        setRevision((r) => r + 1);
      } else setProblem(opened.error.message);
    });
    return () => {
      current = false;
    };
  }, [vault, id, version]);

  useEffect(() => workout?.onChange(() => setRevision((r) => r + 1)), [workout]);

  if (!entry) {
    return (
      <section aria-labelledby="page-title">
        <h1 id="page-title">Workout not found</h1>
        <p>It may not have synced to this device yet, or it was deleted for good.</p>
      </section>
    );
  }
  return (
    <article aria-labelledby="page-title" className="workout">
      <h1 id="page-title" data-testid="workout-title">
        {entry.title || "Untitled ride"}
      </h1>
      <p className="subtitle">{formatDateTime(entry.startTime)}</p>
      <SummaryList entry={entry} />
      {workout && <TitleForm key={workout.id} workout={workout} revision={revision} />}
      {problem && <p role="alert">{problem}</p>}
      {workout && <ExportButtons workout={workout} />}
      <button
        type="button"
        className="danger"
        onClick={() => {
          void vault.workouts.remove(id).then(() => navigate("/"));
        }}
      >
        Delete ride
      </button>
      {workout && (
        <RideAnalysis
          key={revision}
          columns={workout.samples().columns}
          metadata={workout.metadata()}
          settings={settings}
        />
      )}
    </article>
  );
}

/** The library's summary of a ride (the same numbers on every device once synced). */
export function SummaryList({ entry }: { readonly entry: LibraryEntry }) {
  const s = entry.summary;
  const items: [string, string][] = [
    ["Time", s ? formatDuration(s.timerMs) : "–"],
    ["Distance", formatKm(s?.distance)],
    ["Avg power", formatValue(s?.avgPower, "W")],
    ["Avg heart rate", formatValue(s?.avgHeartRate, "bpm")],
    ["Avg cadence", formatValue(s?.avgCadence, "rpm")],
    ["Avg speed", formatKmh(s?.avgSpeed)],
    ["Samples", formatValue(s?.samples, "")],
  ];
  return (
    <dl className="metrics summary" data-testid="summary">
      {items.map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function TitleForm({
  workout,
  revision,
}: {
  readonly workout: Workout;
  readonly revision: number;
}) {
  const { vault } = useApp();
  const stored = workout.metadata().title;
  const [title, setTitle] = useState(stored);
  const [editing, setEditing] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: revision marks document changes
  useEffect(() => {
    if (!editing) setTitle(workout.metadata().title);
  }, [workout, revision, editing]);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const updated = await vault.workouts.update(workout.id, { title });
    setEditing(false);
    setMessage(updated.ok ? "Title saved" : updated.error.message);
  };
  return (
    <form className="inline-form" onSubmit={(event) => void save(event)}>
      <label htmlFor="title-input">Title</label>
      <input
        id="title-input"
        value={title}
        maxLength={200}
        onChange={(event) => {
          setEditing(true);
          setTitle(event.target.value);
        }}
      />
      <button type="submit">Save title</button>
      <output aria-live="polite">{message}</output>
    </form>
  );
}

function ExportButtons({ workout }: { readonly workout: Workout }) {
  const [message, setMessage] = useState<string | null>(null);
  const download = (format: ExportFormat) => {
    const exported = exportWorkout(workout, format);
    if (exported.ok) {
      downloadFile(exported.file);
      setMessage(`${exported.file.name} (${exported.file.size} bytes)`);
    } else setMessage(`No ${format.toUpperCase()}: ${exported.message}`);
  };
  return (
    <section aria-labelledby="export-title" className="export">
      <h2 id="export-title">Export</h2>
      <div className="button-row">
        {EXPORT_FORMATS.map((format) => (
          <button key={format} type="button" onClick={() => download(format)}>
            {format.toUpperCase()}
          </button>
        ))}
      </div>
      <output aria-live="polite">{message}</output>
    </section>
  );
}
