// The window of a virtualised list: which rows to render for a scroll position. Pure (no DOM), so it is
// unit-tested from Node; webview/ui/virtualList.ts applies it to the page.

export interface WindowQuery {
  scrollTop: number;
  viewportHeight: number;
  rowHeight: number;
  count: number;
  /** Extra rows rendered above and below, so fast scrolling does not show blank space. */
  overscan?: number;
}

export interface RowWindow {
  /** First row to render (inclusive). */
  start: number;
  /** Last row to render (exclusive). */
  end: number;
  /** Pixel offset of row `start` from the top of the list. */
  offset: number;
  /** Height of the whole list, for the scroll spacer. */
  total: number;
}

export function visibleWindow({ scrollTop, viewportHeight, rowHeight, count, overscan = 4 }: WindowQuery): RowWindow {
  const total = Math.max(0, count) * rowHeight;
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0, offset: 0, total };
  // A scroll position past the end (the list just shrank under a filter) shows the last page.
  const top = Math.min(Math.max(0, scrollTop), Math.max(0, total - viewportHeight));
  const first = Math.floor(top / rowHeight);
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start, end, offset: start * rowHeight, total };
}
