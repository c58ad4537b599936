// A virtualised list: only the rows in view (plus a few) exist in the DOM, so Beauty's 22k users scroll as
// smoothly as ten. Rows have one fixed height; positions are set through the CSSOM (element.style), which
// the CSP allows, unlike style attributes in markup.
import { visibleWindow } from './window';

export interface VirtualList {
  element: HTMLElement;
  /** Replaces the rows (e.g. a new filter) and scrolls to the top. */
  setCount(count: number): void;
  /** Re-renders the rows in view (e.g. the selection changed). */
  refresh(): void;
  scrollToRow(row: number): void;
}

export function virtualList(rowHeight: number, renderRow: (index: number) => HTMLElement, label: string): VirtualList {
  const viewport = document.createElement('div');
  viewport.className = 'virtual-list';
  viewport.setAttribute('role', 'listbox');
  viewport.setAttribute('aria-label', label);
  viewport.tabIndex = 0;
  const spacer = document.createElement('div');
  spacer.className = 'virtual-spacer';
  const rows = document.createElement('div');
  rows.className = 'virtual-rows';
  spacer.append(rows);
  viewport.append(spacer);
  let count = 0;
  let rendered = '';

  const render = (force = false) => {
    const win = visibleWindow({ scrollTop: viewport.scrollTop, viewportHeight: viewport.clientHeight || 400, rowHeight, count });
    const key = `${win.start}:${win.end}:${count}`;
    if (!force && key === rendered) return;
    rendered = key;
    spacer.style.height = `${win.total}px`;
    rows.style.transform = `translateY(${win.offset}px)`;
    const nodes: HTMLElement[] = [];
    for (let i = win.start; i < win.end; i++) {
      const row = renderRow(i);
      row.style.height = `${rowHeight}px`;
      nodes.push(row);
    }
    rows.replaceChildren(...nodes);
  };
  viewport.addEventListener('scroll', () => render());
  // The viewport's height is known only once it is laid out (and changes with the panel).
  new ResizeObserver(() => render(true)).observe(viewport);

  return {
    element: viewport,
    setCount(next) {
      count = next;
      viewport.scrollTop = 0;
      render(true);
    },
    refresh: () => render(true),
    scrollToRow(row) {
      const top = row * rowHeight;
      if (top < viewport.scrollTop || top + rowHeight > viewport.scrollTop + viewport.clientHeight) viewport.scrollTop = top;
      render(true);
    },
  };
}
