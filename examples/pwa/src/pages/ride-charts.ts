/**
 * The chart data of one ride, in uPlot's shape: power, heart rate, cadence and speed on the
 * 1 Hz timer timeline (from core's resampling; gaps as null), and the power curve. Options
 * are built once per ride so the charts do not rebuild on unrelated renders.
 */
import {
  resampleTo1Hz,
  type SampleColumns,
  timelineOf,
  type WorkoutAnalysis,
} from "@ridevault/core/browser";
import type uPlot from "uplot";
import { formatDuration, formatSeconds } from "../format.js";

/** The series chart's data and options. */
export interface RideChart {
  readonly data: uPlot.AlignedData;
  readonly options: Omit<uPlot.Options, "width">;
}

const nullable = (series: Float64Array, scale = 1): (number | null)[] =>
  Array.from(series, (value) => (Number.isNaN(value) ? null : value * scale));

/** Power, heart rate, cadence and speed over timer time. */
export function seriesChart(columns: SampleColumns): RideChart {
  const timeline = timelineOf(columns);
  const xs = Array.from({ length: timeline.seconds }, (_, i) => i);
  const data: uPlot.AlignedData = [
    xs,
    nullable(resampleTo1Hz(columns, "power", timeline)),
    nullable(resampleTo1Hz(columns, "heartRate", timeline)),
    nullable(resampleTo1Hz(columns, "cadence", timeline)),
    nullable(resampleTo1Hz(columns, "speed", timeline), 3.6 / 1000),
  ];
  return {
    data,
    options: {
      height: 280,
      scales: { x: { time: false } },
      axes: [
        { values: (_u, ticks) => ticks.map((t) => formatDuration(t * 1000)) },
        { scale: "W", label: "W" },
        { scale: "bpm", side: 1, label: "bpm / rpm / km/h", grid: { show: false } },
      ],
      series: [
        { label: "Time", value: (_u, v) => (v == null ? "–" : formatDuration(v * 1000)) },
        { label: "Power (W)", scale: "W", stroke: "#b5179e", width: 1.5 },
        { label: "Heart rate (bpm)", scale: "bpm", stroke: "#d62828", width: 1.5 },
        { label: "Cadence (rpm)", scale: "bpm", stroke: "#2a6f97", width: 1 },
        { label: "Speed (km/h)", scale: "bpm", stroke: "#2b9348", width: 1 },
      ],
    },
  };
}

/** The power curve (mean-maximal power) on a log-like axis of durations. */
export function powerCurveChart(curve: NonNullable<WorkoutAnalysis["powerCurve"]>): RideChart {
  const points = curve.filter((point) => point.durationS > 0);
  return {
    data: [points.map((p) => Math.log10(p.durationS)), points.map((p) => p.watts)],
    options: {
      height: 200,
      scales: { x: { time: false } },
      axes: [
        { values: (_u, ticks) => ticks.map((t) => formatSeconds(Math.round(10 ** t))) },
        { label: "W" },
      ],
      series: [
        {
          label: "Duration",
          value: (_u, v) => (v == null ? "–" : formatSeconds(Math.round(10 ** v))),
        },
        { label: "Best power (W)", stroke: "#b5179e", width: 2, points: { show: true } },
      ],
    },
  };
}
