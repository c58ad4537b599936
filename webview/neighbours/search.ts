// Search over ids and labels for the search box: case-insensitive substring, exact id first. Pure.
export function searchEntities(ids: readonly string[], labels: readonly string[], query: string, limit = Infinity): number[] {
  const needle = query.trim().toLowerCase();
  if (needle === '') return ids.map((_, i) => i).slice(0, limit);
  const exact: number[] = [];
  const rest: number[] = [];
  for (let i = 0; i < ids.length && exact.length + rest.length < limit; i++) {
    if (ids[i].toLowerCase() === needle) exact.push(i);
    else if (ids[i].toLowerCase().includes(needle) || (labels[i] ?? '').toLowerCase().includes(needle)) rest.push(i);
  }
  return [...exact, ...rest];
}
