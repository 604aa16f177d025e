/**
 * A virtualised list of fixed-height rows: only the rows in view (plus a margin) are in the
 * DOM, so hundreds or thousands of rides scroll smoothly. It is a `<ul>` in a scroll
 * container with a fixed height; each row is positioned absolutely at `index × rowHeight`.
 */
import { type ReactNode, useState } from "react";

/** Props of `VirtualList`. */
export interface VirtualListProps<T> {
  readonly items: readonly T[];
  readonly rowHeight: number;
  /** Height of the scroll area, px. */
  readonly height: number;
  readonly label: string;
  readonly keyOf: (item: T) => string;
  readonly renderRow: (item: T, index: number) => ReactNode;
}

const OVERSCAN = 6;

/** Renders the rows of `items` that are in view. */
export function VirtualList<T>(props: VirtualListProps<T>) {
  const [scrollTop, setScrollTop] = useState(0);
  const { items, rowHeight, height } = props;
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(items.length, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN);
  const rows: ReactNode[] = [];
  for (let index = first; index < last; index++) {
    const item = items[index] as T;
    rows.push(
      <li
        key={props.keyOf(item)}
        className="virtual-row"
        style={{ top: index * rowHeight, height: rowHeight }}
      >
        {props.renderRow(item, index)}
      </li>,
    );
  }
  return (
    <div
      className="virtual-list"
      style={{ height: Math.min(height, items.length * rowHeight + 2) }}
      onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
    >
      <ul aria-label={props.label} style={{ height: items.length * rowHeight }}>
        {rows}
      </ul>
    </div>
  );
}
