// gemm: batched and single matrix products on the caller's Float32Arrays, split over the pool; every
// product goes through grasp::sgemm (gemm.h).
#include "addon.h"
#include "gemm.h"
#include <vector>

namespace grasp::binding {

namespace {

struct Gemm {
  const float* a;
  const float* b;
  float* c;
  int64_t m, n, k, strideA, strideB, strideC;
  bool transA, transB;
  float alpha, beta;

  int lda() const { return int(transA ? m : k); }
  int ldb() const { return int(transB ? k : n); }

  // Rows [r0, r1) of C for batch item i: rows of op(A) are rows of A, or columns when transposed.
  void rows(int64_t i, int64_t r0, int64_t r1) const {
    const float* aBlock = a + i * strideA + (transA ? r0 : r0 * k);
    grasp::sgemm(transA, transB, int(r1 - r0), int(n), int(k), alpha, aBlock,
                lda(), b + i * strideB, ldb(), beta, c + i * strideC + r0 * n, int(n));
  }

  // Part [k0, k1) of the inner sum for batch item 0, into out (ld n) with the given beta.
  void inner(int64_t k0, int64_t k1, float* out, float outBeta) const {
    const float* aPart = a + (transA ? k0 * m : k0);
    const float* bPart = b + (transB ? k0 : k0 * n);
    grasp::sgemm(transA, transB, int(m), int(n), int(k1 - k0), alpha, aPart, lda(),
                bPart, ldb(), outBeta, out, int(n));
  }

  void run() const {
    const int threads = poolSize();
    if (batch > 1) {
      // Many products (attention): whole products per thread.
      parallelRanges(batch, 1, [&](int64_t from, int64_t to) {
        for (int64_t i = from; i < to; i++) rows(i, 0, m);
      });
    } else if (threads > 1 && m >= 64 * threads && m * n * k >= (1 << 18)) {
      parallelRanges(m, 64, [&](int64_t r0, int64_t r1) { rows(0, r0, r1); });
    } else if (threads > 1 && k >= 512 * threads && m * n * k >= (1 << 18)) {
      // Long inner dimension, small output (weight gradients x^T·dy): partial sums, then add.
      std::vector<float> partial(size_t(threads - 1) * m * n);
      const int64_t per = (k + threads - 1) / threads;
      poolRun([&](int w) {
        const int64_t k0 = w * per, k1 = std::min(k, k0 + per);
        if (w == 0) inner(k0, k1, c, beta);
        else if (k0 < k1) inner(k0, k1, partial.data() + size_t(w - 1) * m * n, 0.f);
        else std::fill(partial.begin() + size_t(w - 1) * m * n, partial.begin() + size_t(w) * m * n, 0.f);
      });
      for (int w = 1; w < threads; w++) {
        const float* p = partial.data() + size_t(w - 1) * m * n;
        for (int64_t j = 0; j < m * n; j++) c[j] += p[j];
      }
    } else {
      rows(0, 0, m);
    }
  }
  int64_t batch;
};

}  // namespace

// gemm(a, b, c, batch, m, n, k, transA, transB, strideA, strideB, strideC, alpha, beta)
// C[i] = alpha * op(A[i]) * op(B[i]) + beta * C[i], row-major; a stride of 0 broadcasts one matrix.
napi_value GemmBinding(napi_env env, napi_callback_info info) {
  GRASP_ARGS(14);
  if (argc != 14) return typeError(env, "grasp_blas.gemm: expected 14 arguments");
  float *a, *b, *c;
  size_t lenA, lenB, lenC;
  if (!float32View(env, args[0], &a, &lenA) || !float32View(env, args[1], &b, &lenB) || !float32View(env, args[2], &c, &lenC)) return typeError(env, "grasp_blas.gemm: a, b and c must be Float32Arrays");
  int64_t batch, m, n, k, strideA, strideB, strideC;
  bool transA, transB;
  double alpha, beta;
  if (!int64Arg(env, args[3], &batch) || !int64Arg(env, args[4], &m) || !int64Arg(env, args[5], &n) || !int64Arg(env, args[6], &k) ||
      napi_get_value_bool(env, args[7], &transA) != napi_ok || napi_get_value_bool(env, args[8], &transB) != napi_ok ||
      !int64Arg(env, args[9], &strideA) || !int64Arg(env, args[10], &strideB) || !int64Arg(env, args[11], &strideC) ||
      !doubleArg(env, args[12], &alpha) || !doubleArg(env, args[13], &beta)) return typeError(env, "grasp_blas.gemm: bad scalar argument");
  if (batch == 0 || m == 0 || n == 0) return nullptr;
  const int64_t limit = int64_t(1) << 31;
  if (m >= limit || n >= limit || k >= limit || !fits(batch, strideA, m, k, lenA) || !fits(batch, strideB, k, n, lenB) ||
      !fits(batch, strideC, m, n, lenC) || (strideC < m * n && batch > 1)) return rangeError(env, "grasp_blas.gemm: shapes do not fit the arrays");
  if (k == 0) {  // an empty sum: C = beta * C
    for (int64_t i = 0; i < batch; i++)
      for (int64_t j = 0; j < m * n; j++) c[i * strideC + j] = beta == 0 ? 0.f : float(beta) * c[i * strideC + j];
    return nullptr;
  }
  Gemm job{a, b, c, m, n, k, strideA, strideB, strideC, transA, transB, float(alpha), float(beta), batch};
  job.run();
  return nullptr;
}

}  // namespace grasp::binding
