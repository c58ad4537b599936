// Every sgemm kernel the addon can run on this CPU (one per instruction set) against a float64 product,
// in a child process each, because the addon picks its kernel (GRASP_GEMM caps it) when it loads.
// Also: the addon needs no BLAS library at run time.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadNativeKernels, nativeCandidates } from '../../../src/core/engine/native';

const built = nativeCandidates().find((path) => loadNativeKernels().detail === path);

// Runs in the child: random shapes (edges of every tile size), both transposes, alpha and beta, a
// beta of 0 over NaN (C must not be read), and batched products with a broadcast operand.
const check = `
const k = require(process.argv[1]);
let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
function ref(A, B, C, m, n, kk, tA, tB, alpha, beta) {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let p = 0; p < kk; p++) s += (tA ? A[p * m + i] : A[i * kk + p]) * (tB ? B[j * kk + p] : B[p * n + j]);
    out[i * n + j] = alpha * s + (beta === 0 ? 0 : beta * C[i * n + j]);
  }
  return out;
}
let checked = 0;
for (let trial = 0; trial < 120; trial++) {
  const m = 1 + Math.floor((rand() + 0.5) * 40), n = 1 + Math.floor((rand() + 0.5) * 70), kk = 1 + Math.floor((rand() + 0.5) * (trial % 10 === 0 ? 700 : 80));
  const tA = trial % 2 === 1, tB = trial % 4 >= 2, alpha = trial % 3 === 0 ? 0.5 : 1, beta = [0, 1, -0.75][trial % 3];
  const A = Float32Array.from({ length: m * kk }, rand), B = Float32Array.from({ length: kk * n }, rand), C0 = Float32Array.from({ length: m * n }, rand);
  const expected = ref(A, B, C0, m, n, kk, tA, tB, alpha, beta);
  const C = beta === 0 ? new Float32Array(m * n).fill(NaN) : C0.slice();
  k.gemm(A, B, C, 1, m, n, kk, tA, tB, 0, 0, 0, alpha, beta);
  for (let i = 0; i < m * n; i++) if (!(Math.abs(C[i] - expected[i]) <= 1e-4 * Math.sqrt(kk))) throw new Error('m ' + m + ' n ' + n + ' k ' + kk + ' tA ' + tA + ' tB ' + tB + ' beta ' + beta + ' at ' + i + ': ' + C[i] + ' vs ' + expected[i]);
  checked++;
}
// batched: 5 products of [7 x 9]·[9 x 33], B broadcast (stride 0)
const A = Float32Array.from({ length: 5 * 63 }, rand), B = Float32Array.from({ length: 9 * 33 }, rand), C = new Float32Array(5 * 7 * 33);
k.gemm(A, B, C, 5, 7, 33, 9, false, false, 63, 0, 231, 1, 0);
for (let b = 0; b < 5; b++) {
  const expected = ref(A.subarray(b * 63), B, C, 7, 33, 9, false, false, 1, 0);
  for (let i = 0; i < 231; i++) if (Math.abs(C[b * 231 + i] - expected[i]) > 1e-4) throw new Error('batch ' + b + ' at ' + i);
}
console.log(JSON.stringify({ blas: k.info().blas, checked }));
`;

function variants(): string[] {
  const flags = process.platform === 'linux' ? (/^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '') : '';
  const found = ['builtin:baseline'];
  if (process.arch === 'x64' && /\bavx2\b/.test(flags) && /\bfma\b/.test(flags)) found.push('builtin:avx2');
  if (process.arch === 'x64' && /\bavx512f\b/.test(flags)) found.push('builtin:avx512');
  return found;
}

test(
  'every sgemm of the addon matches a float64 product (shapes, transposes, alpha, beta, batches)',
  { skip: built ? false : 'native kernels not built' },
  () => {
    for (const choice of variants()) {
      const result = spawnSync(process.execPath, ['-e', check, built!], { env: { ...process.env, GRASP_GEMM: choice }, encoding: 'utf8' });
      assert.equal(result.status, 0, `${choice}: ${result.stderr}`);
      const report = JSON.parse(result.stdout) as { blas: string; checked: number };
      assert.equal(report.checked, 120);
      assert.equal(report.blas, `built-in sgemm (${choice.slice(8)})`);
    }
  },
);

test('the addon refuses an sgemm it does not have, with the reason', { skip: built ? false : 'native kernels not built' }, () => {
  const result = spawnSync(process.execPath, ['-e', 'require(process.argv[1])', built!], { env: { ...process.env, GRASP_GEMM: 'mkl' }, encoding: 'utf8' });
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /GRASP_GEMM must be/);
});

test('the addon needs no BLAS library at run time', { skip: built && process.platform === 'linux' ? false : 'linux only (ldd)' }, () => {
  const ldd = spawnSync('ldd', [built!], { encoding: 'utf8' });
  assert.equal(ldd.status, 0, ldd.stderr);
  assert.doesNotMatch(ldd.stdout, /blas|lapack|gfortran/i);
});
