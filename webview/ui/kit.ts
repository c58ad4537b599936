// The ONE module that knows the UI kit. @vscode/webview-ui-toolkit is deprecated; when it is replaced, only
// this file changes: every other webview module builds widgets through these functions, never by tag name.
// Only the components used here are registered, which keeps the bundle small.
//
// CSP: the kit's FAST base feature-detects :focus-visible with a <style> element that it tags with the nonce
// from <meta property="csp-nonce">; webviewHtml.ts provides both, so no 'unsafe-inline' is needed.
//
// All text goes in through textContent or setAttribute, never through HTML parsing: callers pass untrusted
// dataset text (names, paths, field names) straight in.
import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeDataGrid,
  vsCodeDataGridCell,
  vsCodeDataGridRow,
  vsCodeDivider,
  vsCodePanels,
  vsCodePanelTab,
  vsCodePanelView,
  vsCodeProgressRing,
} from '@vscode/webview-ui-toolkit';

let registered = false;

export function registerKit(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(
    vsCodeButton(),
    vsCodeDataGrid(),
    vsCodeDataGridRow(),
    vsCodeDataGridCell(),
    vsCodeDivider(),
    vsCodePanels(),
    vsCodePanelTab(),
    vsCodePanelView(),
    vsCodeProgressRing(),
  );
}

function element(tag: string, attributes: Record<string, string> = {}, text?: string): HTMLElement {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
  if (text !== undefined) el.textContent = text;
  return el;
}

export function button(label: string, onClick: () => void, appearance: 'primary' | 'secondary' = 'secondary'): HTMLElement {
  const el = element('vscode-button', { appearance }, label);
  el.addEventListener('click', onClick);
  return el;
}

/**
 * A small highlighted label. Not the kit's <vscode-badge>: its template carries a style attribute, which a
 * CSP without 'unsafe-inline' reports as a violation each time one is created. Styled in media/*.css.
 */
export function badge(text: string): HTMLElement {
  return element('span', { class: 'kit-badge' }, text);
}

export function divider(): HTMLElement {
  return element('vscode-divider', { role: 'separator' });
}

export function progressRing(label: string): HTMLElement {
  return element('vscode-progress-ring', { 'aria-label': label });
}

/** A read-only table. Column widths are CSS grid tracks, e.g. ['2fr', '1fr']. */
export function dataGrid(caption: string, columns: string[], rows: string[][], widths?: string[]): HTMLElement {
  const grid = element('vscode-data-grid', {
    'aria-label': caption,
    'generate-header': 'none',
    'grid-template-columns': (widths ?? columns.map(() => '1fr')).join(' '),
  });
  const header = element('vscode-data-grid-row', { 'row-type': 'header' });
  columns.forEach((title, i) => header.append(element('vscode-data-grid-cell', { 'cell-type': 'columnheader', 'grid-column': String(i + 1) }, title)));
  grid.append(header);
  for (const cells of rows) {
    const row = element('vscode-data-grid-row');
    cells.forEach((text, i) => row.append(element('vscode-data-grid-cell', { 'grid-column': String(i + 1) }, text)));
    grid.append(row);
  }
  return grid;
}

export interface Tab {
  id: string;
  title: string;
  content: Node;
}

/** Tabs; `onChange` gets the id of the tab the user switches to, so the caller can remember it. */
export function tabs(items: Tab[], activeId: string | undefined, onChange: (id: string) => void): HTMLElement {
  const active = items.some((tab) => tab.id === activeId) ? activeId : items[0]?.id;
  const panels = element('vscode-panels', active ? { activeid: `tab-${active}` } : {});
  for (const tab of items) panels.append(element('vscode-panel-tab', { id: `tab-${tab.id}` }, tab.title));
  for (const tab of items) {
    const view = element('vscode-panel-view', { id: `view-${tab.id}` });
    view.append(tab.content);
    panels.append(view);
  }
  panels.addEventListener('change', (event) => {
    // The toolkit's change event carries the newly active tab element.
    const id = (event as CustomEvent<unknown>).detail instanceof Element ? ((event as CustomEvent<Element>).detail.id ?? '') : '';
    if (event.target === panels && id.startsWith('tab-')) onChange(id.slice('tab-'.length));
  });
  return panels;
}
