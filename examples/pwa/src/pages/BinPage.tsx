/**
 * The bin: rides deleted from the history, newest first. *Restore* puts one back (the
 * deletion was a tombstone that merges like any edit, so restoring syncs too); *Delete
 * forever* asks once more, then purges the ride and its samples from the vault.
 */
import type { LibraryEntry } from "@ridevault/core/browser";
import { useState } from "react";
import { useApp, useLibrary } from "../app-context.js";
import { formatDateTime } from "../format.js";
import { link } from "../router.js";

/** The bin page. */
export function BinPage() {
  const entries = useLibrary({ deleted: "only" });
  const [message, setMessage] = useState<string | null>(null);
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Bin</h1>
      <p>
        <a href="/" onClick={link("/")}>
          Back to your rides
        </a>
      </p>
      <output aria-live="polite" data-testid="bin-message">
        {message}
      </output>
      {entries.length === 0 ? (
        <p data-testid="bin-count">The bin is empty.</p>
      ) : (
        <>
          <p data-testid="bin-count">
            {entries.length} deleted {entries.length === 1 ? "ride" : "rides"}. Restore one to bring
            it back to your history on every device.
          </p>
          <ul className="bin-list" aria-label="Deleted rides">
            {entries.map((entry) => (
              <BinRow key={entry.id} entry={entry} onDone={setMessage} />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function BinRow({
  entry,
  onDone,
}: {
  readonly entry: LibraryEntry;
  readonly onDone: (message: string) => void;
}) {
  const { vault } = useApp();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const title = entry.title || "Untitled ride";
  const restore = async () => {
    const restored = await vault.workouts.restore(entry.id);
    if (restored.ok) onDone(`Restored “${title}”.`);
    else setError(`“${title}” could not be restored: ${restored.error.message}`);
  };
  const purge = async () => {
    const purged = await vault.workouts.purge(entry.id);
    if (purged.ok) onDone(`Deleted “${title}” forever.`);
    else setError(`“${title}” could not be deleted: ${purged.error.message}`);
  };
  return (
    <li className="bin-row" data-workout-id={entry.id}>
      <span className="ride-title">{title}</span>
      <span className="ride-date">
        {formatDateTime(entry.startTime)}
        {entry.deletedAt !== null && ` · deleted ${formatDateTime(entry.deletedAt)}`}
      </span>
      {confirming ? (
        <div className="button-row">
          <span>
            Delete “{title}” forever? It leaves your rides on every device and cannot be restored.
            (A relay keeps its encrypted copy, which it cannot read, until the account is deleted.)
          </span>
          <button type="button" className="danger" onClick={() => void purge()}>
            Yes, delete forever
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <div className="button-row">
          <button type="button" aria-label={`Restore “${title}”`} onClick={() => void restore()}>
            Restore
          </button>
          <button
            type="button"
            className="danger"
            aria-label={`Delete “${title}” forever`}
            onClick={() => setConfirming(true)}
          >
            Delete forever
          </button>
        </div>
      )}
      {error && <p role="alert">{error}</p>}
    </li>
  );
}
