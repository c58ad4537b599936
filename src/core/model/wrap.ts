// Wrapping a backbone through its encoder hooks (GRASP, LLM-ESR): the wrapper's hooks replace the empty
// ones, and its own tensors are freed with the model, so callers dispose one thing.
import type { EncoderHooks, SequentialRecommender } from './types';

export function wrapBackbone<T extends { dispose(): void }>(model: SequentialRecommender, build: () => T, hooks: (module: T) => EncoderHooks): T {
  if (model.hooks.inputItems || model.hooks.finalState) throw new Error('the model already has encoder hooks');
  const module = build();
  model.hooks = hooks(module);
  const dispose = model.dispose.bind(model);
  model.dispose = () => {
    dispose();
    module.dispose();
  };
  return module;
}
