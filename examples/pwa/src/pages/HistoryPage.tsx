/**
 * The history: every ride in the library, newest first, searchable by title, in a
 * virtualised list (hundreds of rides scroll without rendering hundreds of rows). Each row
 * links to the workout page. Files dropped anywhere on it are imported (history/ImportRides),
 * deleted rides wait in the bin (BinPage), and rides others shared are listed apart
 * (history/SharedWithMe).
 */
import type { LibraryEntry } from "@ridevault/core/browser";
import { useDeferredValue, useMemo, useState } from "react";
import { useApp, useLibrary } from "../app-context.js";
import { FitnessChart } from "../components/FitnessChart.js";
import { VirtualList } from "../components/VirtualList.js";
import { formatDateTime, formatDuration, formatKm, formatValue } from "../format.js";
import { link } from "../router.js";
import { ImportPanel, useImporter } from "./history/ImportRides.js";
import { SharedWithMe } from "./history/SharedWithMe.js";

export { link } from "../router.js";

const ROW_HEIGHT = 64;

/** The list of rides. */
export function HistoryPage() {
  const { settings } = useApp();
  const entries = useLibrary();
  const binned = useLibrary({ deleted: "only" }).length;
  const importer = useImporter();
  const [query, setQuery] = useState("");
  const deferred = useDeferredValue(query);
  const shown = useMemo(() => {
    const words = deferred.toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length === 0) return entries;
    return entries.filter((entry) => {
      const text = `${entry.title} ${entry.tags.join(" ")}`.toLowerCase();
      return words.every((word) => text.includes(word));
    });
  }, [entries, deferred]);

  return (
    <section
      aria-labelledby="page-title"
      className={`history${importer.dragging ? " dragging" : ""}`}
      {...importer.dropZone}
    >
      <h1 id="page-title">Rides</h1>
      <div className="toolbar">
        <label htmlFor="search">Search rides</label>
        <input
          id="search"
          type="search"
          placeholder="Title or tag"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
        />
        <output aria-live="polite" data-testid="ride-count">
          {shown.length === entries.length
            ? rides(entries.length)
            : `${shown.length} of ${rides(entries.length)}`}
        </output>
        <a href="/bin" onClick={link("/bin")} className="bin-link">
          Bin ({binned})
        </a>
      </div>
      <ImportPanel importer={importer} />
      {entries.length === 0 ? (
        <p>
          No rides yet.{" "}
          <a href="/record" onClick={link("/record")}>
            Record one
          </a>
          , drop FIT, TCX or GPX files here, log in under{" "}
          <a href="/account" onClick={link("/account")}>
            Account
          </a>
          , or add this device to your other device's vault under{" "}
          <a href="/devices" onClick={link("/devices")}>
            Sync &amp; devices
          </a>
          .
        </p>
      ) : (
        <VirtualList
          items={shown}
          rowHeight={ROW_HEIGHT}
          height={Math.max(320, window.innerHeight - 260)}
          label="Rides"
          keyOf={(entry) => entry.id}
          renderRow={(entry) => <RideRow entry={entry} />}
        />
      )}
      <SharedWithMe />
      {entries.length > 0 && (
        <details className="fitness">
          <summary>Fitness and fatigue</summary>
          <FitnessChart entries={entries} ftp={settings.ftp} />
        </details>
      )}
    </section>
  );
}

const rides = (n: number): string => `${n} ${n === 1 ? "ride" : "rides"}`;

function RideRow({ entry }: { readonly entry: LibraryEntry }) {
  const s = entry.summary;
  const path = `/workouts/${entry.id}`;
  return (
    <a className="ride-row" href={path} onClick={link(path)} data-workout-id={entry.id}>
      <span className="ride-title">{entry.title || "Untitled ride"}</span>
      <span className="ride-date">{formatDateTime(entry.startTime)}</span>
      <span className="ride-stats">
        {s ? formatDuration(s.timerMs) : "–"} · {formatKm(s?.distance)} ·{" "}
        {formatValue(s?.avgPower, "W")}
      </span>
    </a>
  );
}
