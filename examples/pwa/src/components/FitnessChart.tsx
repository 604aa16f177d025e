/** The fitness, fatigue and form chart of the history page (data: `fitness-load.ts`). */
import type { LibraryEntry } from "@ridevault/core/browser";
import { useMemo } from "react";
import type uPlot from "uplot";
import { loadOf } from "./fitness-load.js";
import { UPlotChart } from "./UPlotChart.js";

/** The fitness/fatigue/form chart of `entries`. */
export function FitnessChart(props: {
  readonly entries: readonly LibraryEntry[];
  readonly ftp: number | null;
}) {
  const days = useMemo(() => loadOf(props.entries, props.ftp), [props.entries, props.ftp]);
  const chart = useMemo(() => {
    const data: uPlot.AlignedData = [
      days.map((day) => Date.parse(`${day.date}T00:00:00Z`) / 1000),
      days.map((day) => day.ctl),
      days.map((day) => day.atl),
      days.map((day) => day.tsb),
    ];
    const options: Omit<uPlot.Options, "width"> = {
      height: 200,
      // At least six weeks wide, so a short history still reads as a trend.
      scales: { x: { range: (_u, min, max) => [Math.min(min, max - 42 * 86_400), max] } },
      series: [
        {},
        { label: "Fitness (CTL)", stroke: "#2a6f97", width: 2 },
        { label: "Fatigue (ATL)", stroke: "#d62828", width: 1.5 },
        { label: "Form (TSB)", stroke: "#2b9348", width: 1, dash: [4, 4] },
      ],
    };
    return { data, options };
  }, [days]);
  const last = days.at(-1);
  if (!last) {
    return <p>Fitness and fatigue appear once there are rides with power and an FTP is set.</p>;
  }
  return (
    <UPlotChart
      label="Fitness, fatigue and form by day"
      options={chart.options}
      data={chart.data}
      zoomable
      caption={`Today: fitness ${last.ctl.toFixed(0)}, fatigue ${last.atl.toFixed(0)}, form ${last.tsb.toFixed(0)} (stress from each ride's normalized power).`}
    />
  );
}
