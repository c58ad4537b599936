// Small dense linear algebra for LSA and PCA, in float64. Hand-written because what is needed is
// tiny (a randomized SVD over an abstract operator, QR of tall-skinny blocks, Jacobi eigen of small
// symmetric matrices) and the npm options are either tfjs (which the core avoids for this: slow to
// load, float32 only) or unmaintained. Matrices are row-major Float64Arrays with explicit shapes.
import { Random } from '../util/random';

/** A linear map given only by products, so a sparse TF-IDF matrix and a centred dense one look alike. */
export interface LinearOperator {
  rows: number;
  cols: number;
  /** A · X, X is cols × k (row-major); returns rows × k. */
  multiply(x: Float64Array, k: number): Float64Array;
  /** Aᵀ · Y, Y is rows × k; returns cols × k. */
  multiplyTransposed(y: Float64Array, k: number): Float64Array;
}

/**
 * Orthonormalises the k columns of a rows × k matrix in place. CholeskyQR2 first (two passes of
 * Gram matrix, Cholesky, triangular solve: row-major and fast); when the columns are (nearly)
 * dependent, as with tiny or rank-deficient inputs, Cholesky fails and modified Gram-Schmidt
 * takes over, turning dependent columns into zero columns rather than noise. One pass is enough
 * between power iterations, where only the spanned subspace matters.
 */
export function orthonormalizeColumns(m: Float64Array, rows: number, k: number, passes: 1 | 2 = 2): void {
  if (choleskyQrPass(m, rows, k) && (passes === 1 || choleskyQrPass(m, rows, k))) return;
  gramSchmidt(m, rows, k);
}

function choleskyQrPass(m: Float64Array, rows: number, k: number): boolean {
  const gram = new Float64Array(k * k);
  for (let r = 0; r < rows; r++) {
    const base = r * k;
    for (let i = 0; i < k; i++) {
      const x = m[base + i];
      if (x === 0) continue;
      const gi = i * k;
      for (let j = i; j < k; j++) gram[gi + j] += x * m[base + j];
    }
  }
  // Upper-triangular R with RᵀR = G; give up on a pivot that is not clearly positive.
  const rr = new Float64Array(k * k);
  let largest = 0;
  for (let i = 0; i < k; i++) largest = Math.max(largest, gram[i * k + i]);
  for (let i = 0; i < k; i++) {
    let pivot = gram[i * k + i];
    for (let p = 0; p < i; p++) pivot -= rr[p * k + i] ** 2;
    if (!(pivot > 1e-12 * Math.max(largest, 1e-300))) return false;
    const rii = Math.sqrt(pivot);
    rr[i * k + i] = rii;
    for (let j = i + 1; j < k; j++) {
      let sum = gram[i * k + j];
      for (let p = 0; p < i; p++) sum -= rr[p * k + i] * rr[p * k + j];
      rr[i * k + j] = sum / rii;
    }
  }
  // Each row y becomes y R⁻¹ (forward substitution with Rᵀ).
  for (let r = 0; r < rows; r++) {
    const base = r * k;
    for (let j = 0; j < k; j++) {
      let sum = m[base + j];
      for (let p = 0; p < j; p++) sum -= m[base + p] * rr[p * k + j];
      m[base + j] = sum / rr[j * k + j];
    }
  }
  return true;
}

function gramSchmidt(m: Float64Array, rows: number, k: number): void {
  const columns = Array.from({ length: k }, (_, j) => {
    const column = new Float64Array(rows);
    for (let r = 0; r < rows; r++) column[r] = m[r * k + j];
    return column;
  });
  const norms0 = columns.map((column) => Math.sqrt(dot(column, column)));
  for (let j = 0; j < k; j++) {
    const column = columns[j];
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < j; i++) {
        const projection = dot(columns[i], column);
        if (projection !== 0) axpy(-projection, columns[i], column);
      }
    }
    const norm = Math.sqrt(dot(column, column));
    if (norm <= 1e-10 * Math.max(1, norms0[j])) column.fill(0);
    else for (let r = 0; r < rows; r++) column[r] /= norm;
  }
  for (let j = 0; j < k; j++) for (let r = 0; r < rows; r++) m[r * k + j] = columns[j][r];
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

function axpy(alpha: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i] += alpha * x[i];
}

/** Eigen-decomposition of a small symmetric n × n matrix (cyclic Jacobi): values descending, vectors as columns. */
export function symmetricEigen(matrix: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y * n + y] - a[x * n + x]);
  const values = Float64Array.from(order, (i) => a[i * n + i]);
  const vectors = new Float64Array(n * n);
  order.forEach((from, to) => {
    for (let k = 0; k < n; k++) vectors[k * n + to] = v[k * n + from];
  });
  return { values, vectors };
}

export interface TruncatedSvd {
  /** Right singular vectors, cols × k (row-major): the projection of a row onto the components. */
  components: Float64Array;
  singularValues: Float64Array;
  k: number;
}

/**
 * Randomized truncated SVD (Halko, Martinsson & Tropp 2011): sketch the range with a seeded
 * Gaussian block, sharpen it with power iterations, then solve the small problem exactly.
 * Deterministic for a seed; signs are fixed so the largest entry of each component is positive.
 */
export function randomizedSvd(op: LinearOperator, k: number, options: { oversample?: number; powerIterations?: number; seed?: number } = {}): TruncatedSvd {
  const want = Math.max(1, Math.min(k, op.rows, op.cols));
  const l = Math.min(want + (options.oversample ?? 10), op.cols, op.rows);
  const random = new Random(options.seed ?? 1);
  const omega = new Float64Array(op.cols * l);
  for (let i = 0; i < omega.length; i++) omega[i] = gaussian(random);
  let q = op.multiply(omega, l);
  const iterations = options.powerIterations ?? 3;
  orthonormalizeColumns(q, op.rows, l, iterations === 0 ? 2 : 1);
  for (let i = 0; i < iterations; i++) {
    const z = op.multiplyTransposed(q, l);
    orthonormalizeColumns(z, op.cols, l, 1);
    q = op.multiply(z, l);
    orthonormalizeColumns(q, op.rows, l, i === iterations - 1 ? 2 : 1);
  }
  // B = Qᵀ A is l × cols; with Bt = Aᵀ Q (cols × l), B Bᵀ = Btᵀ Bt is l × l and its eigenvectors
  // W give B's right singular vectors as Bt W Σ⁻¹.
  const bt = op.multiplyTransposed(q, l);
  const gram = new Float64Array(l * l);
  for (let r = 0; r < op.cols; r++) {
    const base = r * l;
    for (let i = 0; i < l; i++) {
      const x = bt[base + i];
      if (x === 0) continue;
      for (let j = i; j < l; j++) gram[i * l + j] += x * bt[base + j];
    }
  }
  for (let i = 0; i < l; i++) for (let j = 0; j < i; j++) gram[i * l + j] = gram[j * l + i];
  const { values, vectors } = symmetricEigen(gram, l);
  const singularValues = new Float64Array(want);
  const components = new Float64Array(op.cols * want);
  for (let c = 0; c < want; c++) {
    const sigma = Math.sqrt(Math.max(0, values[c]));
    singularValues[c] = sigma;
    if (sigma < 1e-12) continue; // a rank-deficient input: this component stays zero
    let largest = 0;
    for (let r = 0; r < op.cols; r++) {
      let sum = 0;
      for (let i = 0; i < l; i++) sum += bt[r * l + i] * vectors[i * l + c];
      components[r * want + c] = sum / sigma;
      if (Math.abs(sum) > Math.abs(largest)) largest = sum;
    }
    if (largest < 0) for (let r = 0; r < op.cols; r++) components[r * want + c] = -components[r * want + c];
  }
  return { components, singularValues, k: want };
}

function gaussian(random: Random): number {
  const u = 1 - random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next());
}

/** Dense rows × cols (row-major) as an operator, optionally centred by subtracting `mean` from every row. */
export function denseOperator(data: Float64Array, rows: number, cols: number, mean?: Float64Array): LinearOperator {
  return {
    rows,
    cols,
    multiply(x, k) {
      const out = new Float64Array(rows * k);
      const shift = new Float64Array(k);
      if (mean) for (let c = 0; c < cols; c++) for (let j = 0; j < k; j++) shift[j] += mean[c] * x[c * k + j];
      for (let r = 0; r < rows; r++) {
        const o = r * k;
        for (let c = 0; c < cols; c++) {
          const value = data[r * cols + c];
          if (value === 0) continue;
          const xo = c * k;
          for (let j = 0; j < k; j++) out[o + j] += value * x[xo + j];
        }
        for (let j = 0; j < k; j++) out[o + j] -= shift[j];
      }
      return out;
    },
    multiplyTransposed(y, k) {
      const out = new Float64Array(cols * k);
      const sums = new Float64Array(k);
      for (let r = 0; r < rows; r++) {
        const yo = r * k;
        for (let j = 0; j < k; j++) sums[j] += y[yo + j];
        for (let c = 0; c < cols; c++) {
          const value = data[r * cols + c];
          if (value === 0) continue;
          const o = c * k;
          for (let j = 0; j < k; j++) out[o + j] += value * y[yo + j];
        }
      }
      if (mean) for (let c = 0; c < cols; c++) for (let j = 0; j < k; j++) out[c * k + j] -= mean[c] * sums[j];
      return out;
    },
  };
}
