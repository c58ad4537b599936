import type { SynthesisOutput } from '../llm/schema';

/**
 * Where each part of a description sits in its embedded text. The text is exactly
 * `outputText(output)` (src/core/llm/schema.ts): the summary, then one `name: value` line per
 * non-empty claim. Corruption spans and detector spans both index into this string, so a span
 * means the same thing to the tool that wrote it, the detector, the annotations and the webview.
 */
export interface TextSegment {
  /** `summary`, or a claim's name (`category`, `brand`, `attributes`, `interests`, …). */
  field: string;
  /** For list claims: the element's index in the list. */
  element?: number;
  start: number;
  end: number;
}

export interface RenderedText {
  text: string;
  segments: TextSegment[];
}

/** outputText with offsets. Must stay byte-identical to outputText (a unit test compares them). */
export function renderWithOffsets(output: SynthesisOutput): RenderedText {
  let text = output.summary;
  const segments: TextSegment[] = [{ field: 'summary', start: 0, end: text.length }];
  for (const [name, value] of Object.entries(output.claims) as Array<[string, string | string[]]>) {
    const rendered = Array.isArray(value) ? value.join(', ') : value;
    if (!rendered || rendered === 'unknown') continue;
    text += `\n${name.replace(/_/g, ' ')}: `;
    if (Array.isArray(value)) {
      value.forEach((element, index) => {
        if (index > 0) text += ', ';
        segments.push({ field: name, element: index, start: text.length, end: text.length + element.length });
        text += element;
      });
    } else {
      segments.push({ field: name, start: text.length, end: text.length + value.length });
      text += value;
    }
  }
  return { text, segments };
}

/** The segment holding a field (and list element), if it was rendered. */
export function segmentOf(rendered: RenderedText, field: string, element?: number): TextSegment | undefined {
  return rendered.segments.find((segment) => segment.field === field && segment.element === element);
}
