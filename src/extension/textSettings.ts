// What the text-side settings (grasp.embedder.*, grasp.synthesis.*) become: the `grasp` section of a run
// config the palette builds, the params of the synthesize and embed jobs, and the words of the synthesis
// cost prompt. No `vscode` here, so the
// unit tests check these against the run-config validator. Keys never pass through: they reach the worker
// in its environment only (apiKeys.ts).
import type { EmbedderKind, EmbeddingSettings, TextsProvider } from '../core/train/config';
import type { CostEstimate } from '../core/llm/cost';
import type { ProviderChoice } from '../core/llm/synthesize';

export interface TextSideSettings {
  embedder: { provider: EmbedderKind; baseUrl: string; model: string; dimensions?: number };
  synthesis: { provider: ProviderChoice; baseUrl: string; model: string };
}

/** A setting the chosen provider needs and that is empty: named, so the error can open it. */
export interface MissingSetting {
  setting: string;
  message: string;
}

export type Built<T> = { ok: true; value: T } | { ok: false; missing: MissingSetting };

export interface GraspTextSection {
  embedder: EmbedderKind;
  embedding?: Pick<EmbeddingSettings, 'baseUrl' | 'model' | 'dimensions'>;
  texts?: { provider: TextsProvider; baseUrl?: string; model?: string };
}

const missing = (setting: string, message: string): { ok: false; missing: MissingSetting } => ({ ok: false, missing: { setting, message } });

/** Only the keys whose setting is set: an empty string is not "unset" to the validator, it fails it. */
function present<T extends Record<string, string | number | undefined>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined && value !== '')) as Partial<T>;
}

function embeddingOf(embedder: TextSideSettings['embedder']): Built<GraspTextSection['embedding']> {
  // lsa is local: it reads none of the HTTP settings, and the validator refuses an `embedding` object with it.
  if (embedder.provider === 'lsa') return { ok: true, value: undefined };
  if (embedder.provider === 'openai-compatible' && !embedder.baseUrl) {
    return missing(
      'grasp.embedder.baseUrl',
      'the openai-compatible embedder needs the embedding server: set grasp.embedder.baseUrl (e.g. http://127.0.0.1:8080 for TEI, http://127.0.0.1:11434 for Ollama).',
    );
  }
  const embedding = present({ baseUrl: embedder.baseUrl, model: embedder.model, dimensions: embedder.dimensions });
  // Voyage with every setting empty: its defaults, and no empty object in the config.
  return { ok: true, value: Object.keys(embedding).length > 0 ? embedding : undefined };
}

function textsOf(synthesis: TextSideSettings['synthesis']): Built<GraspTextSection['texts']> {
  switch (synthesis.provider) {
    case 'auto':
      // Training has no "auto": the run config's default (metadata) applies.
      return { ok: true, value: undefined };
    case 'metadata':
      return { ok: true, value: { provider: 'metadata' } };
    case 'anthropic':
      return { ok: true, value: { provider: 'anthropic', ...present({ model: synthesis.model }) } };
    case 'openai-compatible':
      if (!synthesis.baseUrl)
        return missing(
          'grasp.synthesis.baseUrl',
          'the openai-compatible synthesis provider needs the chat server: set grasp.synthesis.baseUrl (e.g. http://127.0.0.1:8000 for vLLM, http://127.0.0.1:11434 for Ollama).',
        );
      if (!synthesis.model)
        return missing('grasp.synthesis.model', 'the openai-compatible synthesis provider needs the model the chat server serves: set grasp.synthesis.model.');
      return { ok: true, value: { provider: 'openai-compatible', baseUrl: synthesis.baseUrl, model: synthesis.model } };
  }
}

/** The run config's `grasp.embedder`, `grasp.embedding` and `grasp.texts` for a run that is not plain. */
export function graspTextSection(settings: TextSideSettings): Built<GraspTextSection> {
  const embedding = embeddingOf(settings.embedder);
  if (!embedding.ok) return embedding;
  const texts = textsOf(settings.synthesis);
  if (!texts.ok) return texts;
  return {
    ok: true,
    value: { embedder: settings.embedder.provider, ...(embedding.value ? { embedding: embedding.value } : {}), ...(texts.value ? { texts: texts.value } : {}) },
  };
}

/** Synthesize Descriptions: provider, and the server and model when the provider reads them. */
export function synthesisParams(settings: TextSideSettings): Built<{ provider: ProviderChoice; baseURL?: string; model?: string }> {
  const { provider, model } = settings.synthesis;
  if (provider === 'openai-compatible') {
    const texts = textsOf(settings.synthesis);
    if (!texts.ok) return texts;
    return { ok: true, value: { provider, baseURL: texts.value!.baseUrl, model: texts.value!.model } };
  }
  // The model setting names a Claude model for anthropic; metadata and auto (which may pick metadata) take none.
  return { ok: true, value: provider === 'anthropic' ? { provider, ...present({ model }) } : { provider } };
}

export interface EmbedJobSettings {
  embedder: EmbedderKind;
  baseURL?: string;
  model?: string;
  dimensions?: number;
}

/** Build Neighbour Index's embed job: the embedder, and where and how it embeds (nothing more for lsa). */
export function embedParams(settings: TextSideSettings): Built<EmbedJobSettings> {
  const embedding = embeddingOf(settings.embedder);
  if (!embedding.ok) return embedding;
  const { baseUrl, model, dimensions } = embedding.value ?? {};
  return { ok: true, value: { embedder: settings.embedder.provider, ...present({ baseURL: baseUrl, model, dimensions }) } };
}

function tokens(estimate: CostEstimate): string {
  return `about ${estimate.inputTokens.toLocaleString('en-US')} input and ${estimate.outputTokens.toLocaleString('en-US')} output tokens`;
}

/** What the dry run says a synthesis will cost: a free local server (usd 0), an unknown price, or dollars. */
export function costText(estimate: CostEstimate): string {
  if (estimate.usd === 0) return `a server on this machine or your network, no cost (${tokens(estimate)})`;
  if (estimate.usd === null) return `cost unknown for this model (${tokens(estimate)})`;
  return `about $${estimate.usd.toFixed(2)} (at most $${estimate.usdMax?.toFixed(2)})`;
}
