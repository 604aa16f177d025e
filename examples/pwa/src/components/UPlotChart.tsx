/**
 * A React wrapper for one uPlot chart: creates it on mount, replaces its data when the data
 * change, follows the container's width, and offers keyboard-usable zoom buttons (uPlot's own
 * zoom is drag-to-select, double-click to reset). The chart is a figure with a text caption,
 * since a canvas says nothing to a screen reader.
 */
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

/** Props of `UPlotChart`. */
export interface UPlotChartProps {
  readonly label: string;
  /** Options without width (taken from the container). */
  readonly options: Omit<uPlot.Options, "width">;
  readonly data: uPlot.AlignedData;
  /** Shows zoom in/out/reset buttons for the x axis. */
  readonly zoomable?: boolean;
  readonly caption?: string;
}

/** One chart. */
export function UPlotChart(props: UPlotChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const { options, data } = props;

  useEffect(() => {
    const target = container.current;
    if (!target) return;
    const plot = new uPlot({ ...options, width: Math.max(280, target.clientWidth) }, data, target);
    chart.current = plot;
    const resize = new ResizeObserver(() => {
      plot.setSize({ width: Math.max(280, target.clientWidth), height: options.height });
    });
    resize.observe(target);
    return () => {
      resize.disconnect();
      plot.destroy();
      chart.current = null;
    };
  }, [options, data]);

  const zoom = (factor: number | null) => {
    const plot = chart.current;
    const xs = plot?.data[0];
    if (!plot || !xs || xs.length === 0) return;
    const first = xs[0] as number;
    const last = xs[xs.length - 1] as number;
    if (factor === null) {
      plot.setScale("x", { min: first, max: last });
      return;
    }
    const min = plot.scales.x?.min ?? first;
    const max = plot.scales.x?.max ?? last;
    const center = (min + max) / 2;
    const half = Math.max(5, ((max - min) / 2) * factor);
    plot.setScale("x", {
      min: Math.max(first, center - half),
      max: Math.min(last, center + half),
    });
  };

  return (
    <figure className="chart">
      {props.zoomable && (
        <div className="chart-tools" role="toolbar" aria-label={`${props.label}: zoom`}>
          <button type="button" onClick={() => zoom(0.5)}>
            Zoom in
          </button>
          <button type="button" onClick={() => zoom(2)}>
            Zoom out
          </button>
          <button type="button" onClick={() => zoom(null)}>
            Reset zoom
          </button>
        </div>
      )}
      <div ref={container} role="img" aria-label={props.label} />
      {props.caption && <figcaption>{props.caption}</figcaption>}
    </figure>
  );
}
