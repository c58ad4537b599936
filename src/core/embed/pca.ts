import { denseOperator, randomizedSvd, symmetricEigen, type TruncatedSvd } from './linalg';

/** Up to this width the covariance matrix is small enough to decompose exactly. */
const EXACT_WIDTH = 256;

export interface PcaResult {
  /** count × dim, row-major, centred on the fitting rows' mean (dim ≤ the input width). */
  vectors: Float32Array;
  dim: number;
  mean: Float32Array;
  /** dim × from (row-major): each row a principal direction. */
  components: Float32Array;
  /** Share of the fitting rows' variance the components keep. */
  explainedVariance: number;
  fittedOn: number;
}

/**
 * PCA to `dim` dimensions, fitted on the given rows only (DESIGN §2: training entities), applied
 * to all. The covariance matrix is never formed: a randomized SVD of the centred data is enough
 * for the top components and stays cheap for wide API embeddings (1024-3072 dims).
 */
export function pca(data: Float32Array, count: number, from: number, dim: number, fitRows: ArrayLike<number>, seed = 1): PcaResult {
  const m = fitRows.length;
  const fit = new Float64Array(m * from);
  const mean = new Float64Array(from);
  for (let i = 0; i < m; i++) {
    const source = fitRows[i] * from;
    for (let c = 0; c < from; c++) {
      const value = data[source + c];
      fit[i * from + c] = value;
      mean[c] += value;
    }
  }
  for (let c = 0; c < from; c++) mean[c] /= Math.max(1, m);
  const target = Math.min(dim, from);
  const svd =
    from <= EXACT_WIDTH ? covarianceSvd(fit, m, from, mean, target) : randomizedSvd(denseOperator(fit, m, from, mean), target, { seed, powerIterations: 4 });
  let total = 0;
  for (let i = 0; i < m; i++) for (let c = 0; c < from; c++) total += (fit[i * from + c] - mean[c]) ** 2;
  let kept = 0;
  for (const sigma of svd.singularValues) kept += sigma * sigma;
  const vectors = new Float32Array(count * target);
  for (let r = 0; r < count; r++) {
    for (let j = 0; j < svd.k; j++) {
      let sum = 0;
      for (let c = 0; c < from; c++) sum += (data[r * from + c] - mean[c]) * svd.components[c * svd.k + j];
      vectors[r * target + j] = sum;
    }
  }
  const components = new Float32Array(target * from);
  for (let j = 0; j < svd.k; j++) for (let c = 0; c < from; c++) components[j * from + c] = svd.components[c * svd.k + j];
  return { vectors, dim: target, mean: Float32Array.from(mean), components, explainedVariance: total > 0 ? kept / total : 0, fittedOn: m };
}

/** Top components from the eigen-decomposition of the centred scatter matrix (exact; for narrow inputs). */
function covarianceSvd(fit: Float64Array, m: number, from: number, mean: Float64Array, k: number): TruncatedSvd {
  const scatter = new Float64Array(from * from);
  const centred = new Float64Array(from);
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < from; c++) centred[c] = fit[r * from + c] - mean[c];
    for (let i = 0; i < from; i++) {
      const x = centred[i];
      if (x === 0) continue;
      for (let j = i; j < from; j++) scatter[i * from + j] += x * centred[j];
    }
  }
  for (let i = 0; i < from; i++) for (let j = 0; j < i; j++) scatter[i * from + j] = scatter[j * from + i];
  const { values, vectors } = symmetricEigen(scatter, from);
  const want = Math.min(k, from, m);
  const components = new Float64Array(from * want);
  const singularValues = new Float64Array(want);
  for (let c = 0; c < want; c++) {
    singularValues[c] = Math.sqrt(Math.max(0, values[c]));
    let largest = 0;
    for (let r = 0; r < from; r++) if (Math.abs(vectors[r * from + c]) > Math.abs(largest)) largest = vectors[r * from + c];
    const sign = largest < 0 ? -1 : 1;
    for (let r = 0; r < from; r++) components[r * want + c] = sign * vectors[r * from + c];
  }
  return { components, singularValues, k: want };
}
