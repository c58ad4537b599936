// Element helpers shared by the webviews. Text goes in with textContent only: callers pass untrusted
// dataset and LLM text straight in, and nothing here parses HTML.
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** An <input> for a number in [min, max]: a spin box (`number`) or a slider (`range`), named for screen readers. */
export function numberInput(type: 'number' | 'range', range: { min: number; max: number; step: number }, value: number, label: string): HTMLInputElement {
  const node = el('input');
  node.type = type;
  node.min = String(range.min);
  node.max = String(range.max);
  node.step = String(range.step);
  node.value = String(value);
  node.setAttribute('aria-label', label);
  return node;
}

/** A plain <button> (the toolkit's buttons are for actions; these are links and list rows). */
export function linkButton(text: string, onClick: () => void, className = 'link'): HTMLButtonElement {
  const node = el('button', className, text);
  node.type = 'button';
  node.addEventListener('click', onClick);
  return node;
}

export function header(title: string, subtitle: string | undefined, actions: Node[], note?: string): HTMLElement {
  const head = el('header', 'page-header');
  const titles = el('div', 'titles');
  titles.append(el('h1', undefined, title));
  if (subtitle) titles.append(el('p', 'path', subtitle));
  if (note) titles.append(el('p', 'note', note));
  const buttons = el('div', 'actions');
  buttons.append(...actions);
  head.append(titles, buttons);
  return head;
}
