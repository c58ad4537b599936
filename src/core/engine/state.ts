// The engine's current backend, readable without loading TensorFlow.js (the worker reports it in
// `initialize` and must start fast).
import type { EngineInfo } from './backend';

let current: EngineInfo | undefined;

export function engineInfo(): EngineInfo | undefined {
  return current;
}

export function setEngineInfo(info: EngineInfo): void {
  current = info;
}
