// The engine's current backend, readable without loading TensorFlow.js (the worker reports it in
// `initialize` and must start fast).
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export type BackendChoice = BackendName | 'auto';

export interface EngineInfo {
  backend: BackendName;
  requested: BackendChoice;
  tfjs: string;
  /** Native kernels in use on top of the backend, or null (with nativeDetail saying why). */
  native: { path: string; blas: string; core: string; threads: number } | null;
  nativeDetail: string;
  /** Why preferred backends were skipped, in order. */
  fallbacks: string[];
  wasmSimd?: boolean;
}

let current: EngineInfo | undefined;

export function engineInfo(): EngineInfo | undefined {
  return current;
}

export function setEngineInfo(info: EngineInfo): void {
  current = info;
}
