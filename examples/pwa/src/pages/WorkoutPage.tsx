/**
 * One workout: its title (editable), the library summary, the analysis, export downloads,
 * sharing and delete. A ride shared with this rider says so; read-only, it offers no editing
 * at all, and only its owner can share or delete it. The workout is re-read whenever the
 * library changes, so edits merged from another device show up while the page is open.
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
import { link, navigate } from "../router.js";
import { useSharedVersion } from "../sharing/use-shared-version.js";
import { RideAnalysis } from "./RideAnalysis.js";
import { ShareButton } from "./workout/ShareDialog.js";

/** The page of workout `id`. */
export function WorkoutPage({ id }: { readonly id: string }) {
  const { vault, settings } = useApp();
  const version = useVaultVersion(vault);
  const sharedVersion = useSharedVersion(vault);
  const entry = vault.workouts.get(id);
  const sharedMode = vault.sharedWithMe.mode(id);
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
  }, [vault, id, version, sharedVersion]);

  useEffect(() => workout?.onChange(() => setRevision((r) => r + 1)), [workout]);

  if (!entry) return <MissingWorkout id={id} />;
  const own = sharedMode === undefined;
  const editable = own || sharedMode === "write";
  return (
    <article aria-labelledby="page-title" className="workout">
      <h1 id="page-title" data-testid="workout-title">
        {entry.title || "Untitled ride"}
      </h1>
      <p className="subtitle">{formatDateTime(entry.startTime)}</p>
      {!own && (
        <p className="shared-label" data-testid="shared-label">
          Shared with you · {sharedMode === "read" ? "read-only" : "read and write"} ·{" "}
          <a href={`/live/${id}`} onClick={link(`/live/${id}`)}>
            Watch live
          </a>
        </p>
      )}
      <SummaryList entry={entry} />
      {workout && editable && !workout.readOnly && (
        <TitleForm key={workout.id} workout={workout} revision={revision} />
      )}
      {problem && <p role="alert">{problem}</p>}
      {workout && <ExportButtons workout={workout} />}
      {own && (
        <div className="button-row">
          <ShareButton workoutId={id} />
          <button
            type="button"
            className="danger"
            onClick={() => {
              void vault.workouts.remove(id).then(() => navigate("/"));
            }}
          >
            Delete ride
          </button>
        </div>
      )}
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

/** A workout this device cannot show: not here yet, deleted, or from a share that ended. */
function MissingWorkout({ id }: { readonly id: string }) {
  const { vault } = useApp();
  const shares = vault.sharedWithMe.list().filter((share) => share.workoutIds.includes(id));
  const ended = shares.find((share) => share.ended)?.ended;
  if (shares.length > 0 && !ended) {
    return (
      <section aria-labelledby="page-title">
        <h1 id="page-title">Shared ride on its way</h1>
        <p data-testid="shared-arriving">
          The ride was shared with you and is syncing to this device: it appears here in a moment.
        </p>
      </section>
    );
  }
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Workout not found</h1>
      {ended ? (
        <p role="alert">
          The share of this ride ended ({ended.reason}): its owner revoked it, or it expired.
        </p>
      ) : (
        <p>It may not have synced to this device yet, or it was deleted for good.</p>
      )}
    </section>
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
