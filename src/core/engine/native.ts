// The native kernel library (native/, built by scripts/build-native.mjs; it carries its own sgemm and
// needs no BLAS library).
// It is found next to the package root, loaded once, and never required: without it every kernel
// falls back to the tfjs backend's own implementation.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** What the attention kernel and its gradient are run over: bh slices of [L, dh] in `heads` heads, the bias mode, the softmax scale and the dropout. */
export type AttentionShape = [bh: number, L: number, dh: number, heads: number, biasMode: number, scale: number, rate: number, seed: number];

export interface NativeKernels {
  /** C[i] = alpha·op(A[i])·op(B[i]) + beta·C[i], row-major; a stride of 0 repeats one matrix. */
  gemm(
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    batch: number,
    m: number,
    n: number,
    k: number,
    transA: boolean,
    transB: boolean,
    strideA: number,
    strideB: number,
    strideC: number,
    alpha: number,
    beta: number,
  ): void;
  /** In-place Adam (PyTorch's formula) on one parameter block; `step` counts from 1. */
  adam(
    param: Float32Array,
    grad: Float32Array,
    m: Float32Array,
    v: Float32Array,
    lr: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    step: number,
  ): void;
  /**
   * In-place lazy Adam on some rows of a [rows, width] table: row rows[i] of param/m/v is updated
   * with row i of grad (grad is [rows.length, width]); the other rows are left as they are.
   */
  adamRows(
    param: Float32Array,
    grad: Float32Array,
    m: Float32Array,
    v: Float32Array,
    rows: Int32Array,
    width: number,
    lr: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    step: number,
  ): void;
  /** out[j] = Σ_r x[r, j] for a [rows, cols] matrix. */
  columnSums(x: Float32Array, rows: number, cols: number, out: Float32Array): void;
  /** out = x · keep / (1 - rate), keep decided by dropoutHash(seed, i) (see kernels/fused.ts). */
  dropout(x: Float32Array, out: Float32Array, seed: number, rate: number): void;
  layerNorm(x: Float32Array, gamma: Float32Array, beta: Float32Array, out: Float32Array, rows: number, cols: number, epsilon: number): void;
  layerNormGrad(
    dy: Float32Array,
    x: Float32Array,
    gamma: Float32Array,
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array,
    rows: number,
    cols: number,
    epsilon: number,
  ): void;
  /** In place: y[r, :] += bias, then max(0, ·) when relu. */
  biasActivation(y: Float32Array, bias: Float32Array, rows: number, cols: number, relu: boolean): void;
  /** out = dy where y > 0, else 0. */
  reluGrad(dy: Float32Array, y: Float32Array, out: Float32Array): void;
  /**
   * Attention over bh slices of [L, dh]: softmax(scale·q·kᵀ + bias) with dropout on the weights, times v.
   * biasMode 0: none, 1: bias is [L, L], 2: bias is [bh / heads, L] over keys. probs gets the weights before dropout.
   */
  attention(q: Float32Array, k: Float32Array, v: Float32Array, bias: Float32Array, out: Float32Array, probs: Float32Array, ...shape: AttentionShape): void;
  attentionGrad(
    dOut: Float32Array,
    q: Float32Array,
    k: Float32Array,
    v: Float32Array,
    probs: Float32Array,
    dq: Float32Array,
    dk: Float32Array,
    dv: Float32Array,
    ...shape: AttentionShape
  ): void;
  /**
   * Row r of q ([rows, width]) attends over rows index[r, s] (−1: no slot) of keys and values
   * ([table, width]): weights [rows, slots] = softmax(scale · q·k), out = Σ weights · v (see kernels/indexedAttention.ts).
   */
  indexedAttention(
    q: Float32Array,
    keys: Float32Array,
    values: Float32Array,
    index: Int32Array,
    out: Float32Array,
    weights: Float32Array,
    rows: number,
    slots: number,
    width: number,
    table: number,
    scale: number,
  ): void;
  indexedAttentionGrad(
    dOut: Float32Array,
    q: Float32Array,
    keys: Float32Array,
    values: Float32Array,
    index: Int32Array,
    weights: Float32Array,
    dq: Float32Array,
    dKeys: Float32Array,
    dValues: Float32Array,
    rows: number,
    slots: number,
    width: number,
    table: number,
    scale: number,
  ): void;
  /** out[s] = scale[s] · Σ_{i: segments[i] = s} table[rows[i]] (see kernels/pooledRows.ts); table is [tableRows, width]. */
  pooledRows(table: Float32Array, rows: Int32Array, segments: Int32Array, scale: Float32Array, out: Float32Array, tableRows: number, width: number): void;
  /** dTable = 0, then dTable[rows[i]] += scale[s] · dOut[s] for s = segments[i]. */
  pooledRowsGrad(dOut: Float32Array, rows: Int32Array, segments: Int32Array, scale: Float32Array, dTable: Float32Array, tableRows: number, width: number): void;
  /** y = x / sqrt(Σ x² + 1e-12) per row of width `width` (see kernels/unitRows.ts). */
  unitRows(x: Float32Array, y: Float32Array, width: number): void;
  /** dx = (dy − y (dy·y)) / ‖x‖ per row. */
  unitRowsGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, width: number): void;
  /** out = 0, then out[ids[i], :] += x[i, :] for a [count, width] x; ids outside [0, numSegments) dropped. */
  scatterAddRows(x: Float32Array, ids: Int32Array, out: Float32Array, numSegments: number, width: number): void;
  /**
   * Mean softmax cross-entropy of states [rows, d] against a table [tableRows, d], with d(loss)/d(states)
   * and the dense d(loss)/d(table). Empty candidateIds: full softmax over rows 1..numItems (targets among
   * them). Otherwise each target row against the shared candidate rows (one equal to the target is
   * masked), their logits minus logQ when logQ is not empty.
   */
  softmaxLoss(
    states: Float32Array,
    table: Float32Array,
    targets: Int32Array,
    candidateIds: Int32Array,
    logQ: Float32Array,
    dStates: Float32Array,
    dTable: Float32Array,
    rows: number,
    d: number,
    numItems: number,
  ): number;
  /** y = x · Φ(x) (exact GELU, erf form), element-wise. */
  gelu(x: Float32Array, y: Float32Array): void;
  /** dx = dy · (Φ(x) + x · φ(x)). */
  geluGrad(dy: Float32Array, x: Float32Array, dx: Float32Array): void;
  /** One GRU layer over [B, L] sequences: states [B, L, d] and the gates r | z | n | hn saved [B, L, 4d] (native/src/gru.cc). */
  gru(
    xp: Float32Array,
    wh: Float32Array,
    bh: Float32Array,
    keep: Float32Array,
    states: Float32Array,
    saved: Float32Array,
    B: number,
    L: number,
    d: number,
  ): void;
  gruGrad(
    dStates: Float32Array,
    wh: Float32Array,
    keep: Float32Array,
    states: Float32Array,
    saved: Float32Array,
    dxp: Float32Array,
    dwh: Float32Array,
    dbh: Float32Array,
    B: number,
    L: number,
    d: number,
  ): void;
  /** out[r] = how many of row r's scores are strictly greater than scores[r, targets[r]]. */
  countGreater(scores: Float32Array, rows: number, cols: number, targets: Int32Array, out: Int32Array): void;
  setThreads(threads: number): void;
  /** blas: which sgemm runs ("built-in sgemm (avx512)"); core: its instruction set. */
  info(): { blas: string; core: string; threads: number };
}

export interface NativeStatus {
  kernels: NativeKernels | null;
  /** The .node file loaded, or why none was. */
  detail: string;
}

let cached: NativeStatus | undefined;

/** The folder holding package.json: from a dist bundle or from the sources under tsx. */
export function packageRoot(start = __dirname): string {
  let dir = start;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'grasp-lab') return dir;
      } catch {
        // not ours; keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return start;
    dir = parent;
  }
}

export function nativeCandidates(): string[] {
  const root = packageRoot();
  return [process.env.GRASP_NATIVE_PATH, join(root, 'native', 'build', 'Release', 'grasp_blas.node'), join(root, 'dist', 'native', 'grasp_blas.node')].filter(
    (path): path is string => !!path,
  );
}

/**
 * Loads the native kernels unless GRASP_NATIVE=0. A missing file, a bad GRASP_GEMM or an ABI
 * mismatch all end in `kernels: null` with the reason, never in an exception.
 */
export function loadNativeKernels(): NativeStatus {
  if (cached) return cached;
  if (process.env.GRASP_NATIVE === '0') return (cached = { kernels: null, detail: 'disabled by GRASP_NATIVE=0' });
  const requireNative = createRequire(join(packageRoot(), 'package.json'));
  const reasons: string[] = [];
  for (const path of nativeCandidates()) {
    if (!existsSync(path)) continue;
    try {
      const kernels = requireNative(path) as NativeKernels;
      if (typeof kernels.gemm !== 'function' || typeof kernels.adam !== 'function') throw new Error('not a grasp_blas build');
      return (cached = { kernels, detail: path });
    } catch (error) {
      reasons.push(`${path}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  }
  return (cached = {
    kernels: null,
    detail: reasons.length > 0 ? reasons.join('; ') : 'not built (npm run build:native builds it with the C++ toolchain node-gyp uses)',
  });
}
