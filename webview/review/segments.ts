// Splits a text into runs for highlighting: plain runs and marked runs, cut at every span boundary, so
// overlapping spans (two reasons about one phrase) become separate marked runs that name every reason
// covering them. Pure; the view turns each run into a text node or a <mark> (never HTML).

export interface Span {
  start: number;
  end: number;
}

export interface Segment {
  text: string;
  start: number;
  end: number;
  /** Indexes (into the spans given) of the spans covering this run; empty for plain text. */
  spans: number[];
}

export function splitSegments(text: string, spans: readonly Span[]): Segment[] {
  // Spans come from files a person may edit: clamp to the text, drop empty or inverted ones.
  const clean = spans
    .map((span, index) => ({
      start: Math.max(0, Math.min(text.length, Math.floor(span.start))),
      end: Math.max(0, Math.min(text.length, Math.floor(span.end))),
      index,
    }))
    .filter((span) => Number.isFinite(span.start) && Number.isFinite(span.end) && span.end > span.start);
  const cuts = new Set<number>([0, text.length]);
  for (const span of clean) {
    cuts.add(span.start);
    cuts.add(span.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const segments: Segment[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const start = points[i];
    const end = points[i + 1];
    if (end <= start) continue;
    const covering = clean.filter((span) => span.start <= start && span.end >= end).map((span) => span.index);
    const last = segments[segments.length - 1];
    // Neighbouring runs with the same covering spans are one run (fewer nodes, same meaning).
    if (last && last.end === start && sameSet(last.spans, covering)) {
      last.end = end;
      last.text = text.slice(last.start, end);
    } else segments.push({ text: text.slice(start, end), start, end, spans: covering });
  }
  return segments;
}

function sameSet(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
