import type { SynthesisTask, Usage } from './provider';

/** USD per million tokens, from Anthropic's published prices; a model not listed gets no estimate. */
const PRICES: Array<{ pattern: RegExp; input: number; output: number }> = [
  { pattern: /haiku-4-5/, input: 1, output: 5 },
  { pattern: /sonnet-4/, input: 3, output: 15 },
  { pattern: /opus-4-[5-9]/, input: 5, output: 25 },
];
/** The Message Batches API costs half. */
export const BATCH_DISCOUNT = 0.5;
/** Rough characters per token for English prose (Claude's tokenizer): for estimates only. */
const CHARS_PER_TOKEN = 3.5;
/** Tokens the API adds around a request (roles, formatting) and the structured-output schema. */
const REQUEST_OVERHEAD_TOKENS = 250;

export interface CostEstimate {
  calls: number;
  inputTokens: number;
  /** Expected output, from this cache's past replies when there are any, else half of max_tokens. */
  outputTokens: number;
  /** Upper bound: every reply at max_tokens. */
  maxOutputTokens: number;
  usd: number | null;
  usdMax: number | null;
  note: string;
}

export function priceOf(model: string): { input: number; output: number } | undefined {
  return PRICES.find((price) => price.pattern.test(model));
}

export function costUsd(model: string, usage: Usage, batch: boolean): number | null {
  const price = priceOf(model);
  if (!price) return null;
  const usd = (usage.inputTokens * price.input + usage.outputTokens * price.output) / 1e6;
  return batch ? usd * BATCH_DISCOUNT : usd;
}

/** Estimated input tokens of one call's prompt (the same rule as the dry run's estimate). */
export function promptTokens(task: SynthesisTask): number {
  return Math.ceil((task.prompt.system.length + task.prompt.user.length) / CHARS_PER_TOKEN) + REQUEST_OVERHEAD_TOKENS;
}

/** `price` overrides the table (USD per million tokens), e.g. 0 for a local server. */
export function estimateCost(
  tasks: SynthesisTask[],
  model: string,
  batch: boolean,
  pastOutputTokens?: number,
  price?: { input: number; output: number; note: string },
): CostEstimate {
  let inputTokens = 0;
  let maxOutputTokens = 0;
  for (const task of tasks) {
    inputTokens += promptTokens(task);
    maxOutputTokens += task.prompt.maxTokens;
  }
  const outputTokens = pastOutputTokens !== undefined ? Math.round(pastOutputTokens * tasks.length) : Math.round(maxOutputTokens / 2);
  if (price) {
    const at = (tokens: number) => (inputTokens * price.input + tokens * price.output) / 1e6;
    return {
      calls: tasks.length,
      inputTokens,
      outputTokens,
      maxOutputTokens,
      usd: at(outputTokens),
      usdMax: at(maxOutputTokens),
      note: `estimate: ~${CHARS_PER_TOKEN} characters per token; ${price.note}`,
    };
  }
  const usd = costUsd(model, { inputTokens, outputTokens }, batch);
  const usdMax = costUsd(model, { inputTokens, outputTokens: maxOutputTokens }, batch);
  const note = priceOf(model)
    ? `estimate: ~${CHARS_PER_TOKEN} characters per token${batch ? ', batch price (half)' : ''}`
    : `no price known for ${model}: token counts only`;
  return { calls: tasks.length, inputTokens, outputTokens, maxOutputTokens, usd, usdMax, note };
}
