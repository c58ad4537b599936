// One place picks the TensorFlow.js backend (DESIGN §4): @tensorflow/tfjs-node when it loads (from
// node_modules or the accelerator folder), else wasm, else the pure-JS cpu backend; GRASP_BACKEND or
// the run config can force one. On wasm and cpu it adds the kernels training needs (gather's
// gradient on wasm) and, when the native addon loads, its native matmuls and fused kernels. Every run records the result.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { findAccelerator } from '../accelerator/install';
import { nativeBatchMatMul } from './kernels/matmul';
import { geluKernels } from './kernels/gelu';
import { gruKernels } from './kernels/gru';
import { softmaxLossKernels } from './kernels/softmaxLoss';
import { unsortedSegmentSumWasm } from './kernels/unsortedSegmentSum';
import { wasmFastKernels } from './kernels/wasmFast';
import { fusedGradients, fusedKernels } from './kernels/fused';
import { setFusedBackends } from './ops';
import { loadNativeKernels, packageRoot, type NativeKernels } from './native';
import { engineInfo, setEngineInfo, type BackendChoice, type BackendName, type EngineInfo } from './state';
import { tf } from './tf';

export type { BackendChoice, BackendName, EngineInfo };
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

export interface EngineOptions {
  /** Default: GRASP_BACKEND, else auto. */
  backend?: BackendChoice;
  /** Threads for the native kernels (default: GRASP_THREADS, else the machine's cores). */
  threads?: number;
  /** Use the native kernels when they load (default true unless GRASP_NATIVE=0). */
  native?: boolean;
  /** Use the fused kernels (layer norm, dropout, …) on wasm/cpu; false = plain tfjs ops (the tests' reference). */
  fused?: boolean;
}

const originalKernels = new Map<string, tf.KernelConfig>();

export { engineInfo };

/** Selects and initialises the backend; calling it again with other options switches backend. */
export async function initEngine(options: EngineOptions = {}): Promise<EngineInfo> {
  const requested = options.backend ?? (process.env.GRASP_BACKEND as BackendChoice | undefined) ?? 'auto';
  if (!BACKEND_CHOICES.includes(requested)) throw new Error(`unknown backend "${requested}" (expected one of ${BACKEND_CHOICES.join(', ')})`);
  const order: BackendName[] = requested === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [requested];
  const fallbacks: string[] = [];
  for (const name of order) {
    const failure = await tryBackend(name);
    if (failure === undefined) {
      const info: EngineInfo = { backend: name, requested, tfjs: tf.version_core, native: null, nativeDetail: '', fallbacks };
      if (name === 'wasm') info.wasmSimd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
      configureKernels(info, options);
      setEngineInfo(info);
      return info;
    }
    fallbacks.push(`${name}: ${failure}`);
  }
  throw new Error(`no TensorFlow.js backend could start (${fallbacks.join('; ')})`);
}

/** Undefined when the backend is now active; otherwise why it is not. */
async function tryBackend(name: BackendName): Promise<string | undefined> {
  try {
    if (name === 'tensorflow') {
      const loaded = loadTfjsNode();
      if (loaded) return loaded;
    } else if (name === 'wasm') {
      const dir = findWasmDir();
      if (!dir) return 'tfjs-backend-wasm .wasm files not found';
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      wasm.setWasmPaths(`${dir}/`);
    }
    if (!(await tf.setBackend(name))) return 'failed to initialise';
    await tf.ready();
    // The cpu backend prints an install-tfjs-node banner on first use; the engine reports the backend itself.
    if (name === 'cpu') (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message.split('\n')[0] : String(error);
  }
}

function loadTfjsNode(): string | undefined {
  if (tf.findBackend('tensorflow')) return undefined;
  const attempts: string[] = [];
  const accelerator = findAccelerator();
  const candidates = [{ from: join(packageRoot(), 'package.json'), id: '@tensorflow/tfjs-node' }];
  if (accelerator) candidates.push({ from: join(accelerator, 'package.json'), id: accelerator });
  for (const { from, id } of candidates) {
    try {
      createRequire(from)(id);
      if (tf.findBackend('tensorflow')) return undefined;
      attempts.push(`${id} loaded but registered no backend`);
    } catch (error) {
      attempts.push(`${id}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  }
  return `@tensorflow/tfjs-node not available (${attempts.join('; ')}); install it with \`grasp accelerator install\``;
}

/** dist/wasm beside a bundle, or the package's own folder when running from sources. */
export function findWasmDir(): string | undefined {
  const candidates = [join(__dirname, 'wasm'), join(packageRoot(), 'dist', 'wasm')];
  try {
    candidates.push(join(createRequire(join(packageRoot(), 'package.json')).resolve('@tensorflow/tfjs-backend-wasm/package.json'), '..', 'dist'));
  } catch {
    // not installed; the bundle's copy is the only candidate
  }
  return candidates.find((dir) => existsSync(join(dir, 'tfjs-backend-wasm-simd.wasm')));
}

function configureKernels(info: EngineInfo, options: EngineOptions): void {
  if (info.backend === 'tensorflow') {
    info.nativeDetail = 'not needed: tfjs-node has its own native kernels';
    setFusedBackends([]);
    active = null;
    return;
  }
  const wanted = options.native ?? process.env.GRASP_NATIVE !== '0';
  let native: NativeKernels | null = null;
  if (wanted) {
    const status = loadNativeKernels();
    native = status.kernels;
    info.nativeDetail = status.detail;
  } else info.nativeDetail = 'disabled';
  if (info.backend === 'wasm') {
    replaceKernel(unsortedSegmentSumWasm(native));
    for (const kernel of wasmFastKernels((name) => originalKernel(name, 'wasm'), native)) replaceKernel(kernel);
  }
  active = native;
  for (const kernel of fusedKernels(info.backend, native)) replaceKernel(kernel);
  registerFusedGradients();
  setFusedBackends(options.fused === false ? [] : [info.backend], options.fused === false || !native ? [] : [info.backend]);
  if (!native) {
    restoreKernel('BatchMatMul', info.backend);
    return;
  }
  const threads = options.threads ?? (Number(process.env.GRASP_THREADS) || undefined);
  if (threads) native.setThreads(threads);
  installNativeKernels(native, info.backend);
  const details = native.info();
  info.native = { path: loadNativeKernels().detail, blas: details.blas, core: details.core, threads: details.threads };
}

let gradientsRegistered = false;
function registerFusedGradients(): void {
  if (gradientsRegistered) return;
  for (const gradient of fusedGradients) tf.registerGradient(gradient);
  gradientsRegistered = true;
}

function installNativeKernels(native: NativeKernels, backend: BackendName): void {
  const original = originalKernels.get(`BatchMatMul/${backend}`) ?? tf.getKernel('BatchMatMul', backend);
  if (!original) return;
  replaceKernel(nativeBatchMatMul(native, backend, original.kernelFunc));
  for (const kernel of [...softmaxLossKernels(backend, native), ...gruKernels(backend, native), ...geluKernels(backend, native)]) replaceKernel(kernel);
}

function replaceKernel(config: tf.KernelConfig): void {
  const key = `${config.kernelName}/${config.backendName}`;
  const existing = tf.getKernel(config.kernelName, config.backendName);
  if (existing && !originalKernels.has(key)) originalKernels.set(key, existing);
  if (existing) tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
}

/** The backend's own kernel, even after ours replaced it. */
function originalKernel(kernelName: string, backend: string): tf.KernelFunc {
  const config = originalKernels.get(`${kernelName}/${backend}`) ?? tf.getKernel(kernelName, backend);
  if (!config) throw new Error(`no ${kernelName} kernel for ${backend}`);
  return config.kernelFunc;
}

function restoreKernel(kernelName: string, backend: string): void {
  const original = originalKernels.get(`${kernelName}/${backend}`);
  if (!original) return;
  tf.unregisterKernel(kernelName, backend);
  tf.registerKernel(original);
}

/** The native library if it is built and loads (whether or not the engine uses it): for tests. */
export function nativeKernels(): NativeKernels | null {
  return loadNativeKernels().kernels;
}

let active: NativeKernels | null = null;

/** The native kernels the engine is using now: null when disabled (config, GRASP_NATIVE=0) or absent. */
export function activeNativeKernels(): NativeKernels | null {
  return active;
}
