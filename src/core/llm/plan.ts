import type { EntityInput } from './inputs';
import { synthesisKey } from './inputs';
import type { SynthesisTask } from './provider';
import { renderPrompt, type PromptTemplate } from './templates';

/** One task per distinct cache key: entities with identical inputs share a call and its result. */
export function buildTasks(inputs: EntityInput[], template: PromptTemplate, provider: string, model: string): SynthesisTask[] {
  const byKey = new Map<string, SynthesisTask>();
  for (const input of inputs) {
    const key = synthesisKey(provider, model, template, input.inputHash);
    const existing = byKey.get(key);
    if (existing) existing.ids.push(input.id);
    else byKey.set(key, { key, entity: input.entity, ids: [input.id], input, prompt: renderPrompt(template, input) });
  }
  return [...byKey.values()];
}
