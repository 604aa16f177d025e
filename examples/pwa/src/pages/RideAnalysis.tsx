/**
 * The analysis part of a workout page: summary metrics, the zoomable chart of power, heart
 * rate, cadence and speed, laps, the power curve and time in zones. Everything is computed by
 * `@ridevault/core`'s analytics; this component only lays it out.
 */
import {
  analyzeWorkout,
  type LapStats,
  lapStats,
  type SampleColumns,
  type WorkoutMetadata,
  type ZoneTime,
} from "@ridevault/core/browser";
import { useMemo } from "react";
import { UPlotChart } from "../components/UPlotChart.js";
import { formatDuration, formatKm, formatKmh, formatSeconds, formatValue } from "../format.js";
import type { AppSettings } from "../settings.js";
import { powerCurveChart, seriesChart } from "./ride-charts.js";

/** Props of `RideAnalysis`. */
export interface RideAnalysisProps {
  readonly columns: SampleColumns;
  readonly metadata: WorkoutMetadata;
  readonly settings: AppSettings;
}

/** Metrics, charts, laps and zones of one ride. */
export function RideAnalysis({ columns, metadata, settings }: RideAnalysisProps) {
  const analysis = useMemo(
    () =>
      analyzeWorkout(columns, {
        ftp: metadata.settings.ftp ?? settings.ftp,
        thresholdHeartRate: metadata.settings.thresholdHeartRate ?? settings.thresholdHeartRate,
      }),
    [columns, metadata.settings, settings.ftp, settings.thresholdHeartRate],
  );
  const chart = useMemo(() => seriesChart(columns), [columns]);
  const curve = useMemo(
    () => (analysis.powerCurve ? powerCurveChart(analysis.powerCurve) : null),
    [analysis.powerCurve],
  );
  const laps = useMemo(() => lapStats(columns, metadata.laps), [columns, metadata.laps]);
  if (columns.length === 0) return <p>No samples yet.</p>;
  const metrics: [string, string][] = [
    ["Timer", formatDuration(analysis.timerS * 1000)],
    ["Avg power", formatValue(analysis.avgPower, "W")],
    ["Normalized power", formatValue(analysis.normalizedPower, "W")],
    ["Max power", formatValue(analysis.maxPower, "W")],
    ["Work", formatValue(analysis.work, "kJ")],
    ["Intensity factor", formatValue(analysis.intensityFactor, "", 2)],
    ["Training stress", formatValue(analysis.trainingStress, "")],
    ["Variability index", formatValue(analysis.variabilityIndex, "", 2)],
    ["Avg heart rate", formatValue(analysis.avgHeartRate, "bpm")],
    ["Max heart rate", formatValue(analysis.maxHeartRate, "bpm")],
    ["Efficiency factor", formatValue(analysis.efficiencyFactor, "", 2)],
  ];
  return (
    <>
      <section aria-labelledby="analysis-title">
        <h2 id="analysis-title">Analysis</h2>
        <dl className="metrics">
          {metrics.map(([name, value]) => (
            <div key={name}>
              <dt>{name}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      </section>
      <section aria-labelledby="chart-title">
        <h2 id="chart-title">Over time</h2>
        <UPlotChart
          label="Power, heart rate, cadence and speed over timer time"
          options={chart.options}
          data={chart.data}
          zoomable
          caption="Drag across the chart to zoom, double-click to reset."
        />
      </section>
      {laps.length > 0 && <LapTable laps={laps} />}
      {curve && analysis.powerCurve && (
        <section aria-labelledby="curve-title">
          <h2 id="curve-title">Power curve</h2>
          <UPlotChart label="Best power by duration" options={curve.options} data={curve.data} />
          <p className="curve-points">
            {analysis.powerCurve
              .filter((point) => [5, 60, 300, 1200].includes(point.durationS))
              .map((point) => `${formatSeconds(point.durationS)}: ${Math.round(point.watts)} W`)
              .join(" · ")}
          </p>
        </section>
      )}
      {analysis.powerZones && <Zones title="Power zones" zones={analysis.powerZones} />}
      {analysis.heartRateZones && (
        <Zones title="Heart-rate zones" zones={analysis.heartRateZones} />
      )}
    </>
  );
}

function LapTable({ laps }: { readonly laps: readonly LapStats[] }) {
  return (
    <section aria-labelledby="laps-title">
      <h2 id="laps-title">Laps</h2>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Lap</th>
              <th scope="col">Time</th>
              <th scope="col">Distance</th>
              <th scope="col">Avg power</th>
              <th scope="col">NP</th>
              <th scope="col">Avg HR</th>
              <th scope="col">Avg speed</th>
            </tr>
          </thead>
          <tbody>
            {laps.map((lap, index) => (
              <tr key={lap.start}>
                <th scope="row">{index + 1}</th>
                <td>{formatDuration(lap.durationS * 1000)}</td>
                <td>{formatKm(lap.distance)}</td>
                <td>{formatValue(lap.avgPower, "W")}</td>
                <td>{formatValue(lap.normalizedPower, "W")}</td>
                <td>{formatValue(lap.avgHeartRate, "bpm")}</td>
                <td>{formatKmh(lap.avgSpeed)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Zones({ title, zones }: { readonly title: string; readonly zones: readonly ZoneTime[] }) {
  const total = zones.reduce((sum, zone) => sum + zone.seconds, 0) || 1;
  const id = title.replace(/\W+/g, "-").toLowerCase();
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <ul className="zones">
        {zones.map((zone) => {
          const share = Math.round((100 * zone.seconds) / total);
          return (
            <li key={zone.zone}>
              <span className="zone-name">
                Z{zone.zone} {zone.name}
              </span>
              <span className="zone-bar" aria-hidden="true">
                <span style={{ width: `${share}%` }} />
              </span>
              <span className="zone-time">
                {formatDuration(zone.seconds * 1000)} ({share} %)
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
