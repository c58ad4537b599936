// Back/forward over visited ids, like a browser: opening a new id drops the forward entries. Pure, so the
// unit tests run it from Node.
export interface History {
  entries: string[];
  position: number;
}

export function visit(history: History, id: string): History {
  if (history.entries[history.position] === id) return history;
  const entries = [...history.entries.slice(0, history.position + 1), id];
  return { entries, position: entries.length - 1 };
}

export function back(history: History): History {
  return { ...history, position: Math.max(0, history.position - 1) };
}

export function forward(history: History): History {
  return { ...history, position: Math.min(history.entries.length - 1, history.position + 1) };
}

export const current = (history: History): string | undefined => history.entries[history.position];
export const canGoBack = (history: History): boolean => history.position > 0;
export const canGoForward = (history: History): boolean => history.position < history.entries.length - 1;
