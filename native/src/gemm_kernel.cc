// The built-in sgemm: the classic blocked scheme (pack a block of op(B) and of op(A) into
// contiguous panels, then an MR x NR register tile accumulates over the packed inner dimension).
// This file is compiled once per instruction set, with binding.gyp setting the flags and
// GRASP_GEMM_ISA (0 baseline, 1 AVX2 + FMA, 2 AVX-512): the tile is written with GCC/Clang
// vector extensions, so one source gives every width. It exists so that the addon needs no
// system BLAS: a fresh `npm install` and the VSIX both get the fast engine.
//
// Nothing here may instantiate a template or inline function with external linkage (std::min,
// std::vector…): the linker keeps one copy of such a function for the whole addon, and it could be
// the AVX-512 one, run on a CPU without AVX-512. Hence the local helpers and the scratch from gemm.cc.
#include "gemm.h"

#ifndef GRASP_GEMM_ISA
#define GRASP_GEMM_ISA 0
#endif

namespace {

#if GRASP_GEMM_ISA == 2
constexpr int kVecBytes = 64, MR = 12, NV = 2;  // 24 of 32 zmm registers accumulate
#elif GRASP_GEMM_ISA == 1
constexpr int kVecBytes = 32, MR = 6, NV = 2;  // 12 of 16 ymm registers accumulate
#else
constexpr int kVecBytes = 16, MR = 6, NV = 2;  // SSE2 / NEON width
#endif
constexpr int W = kVecBytes / 4;
constexpr int NR = W * NV;
// Cache blocking: a KC x NR sliver of B stays in L1, an MC x KC block of A in L2.
constexpr int64_t KC = 256;
constexpr int64_t MC = MR * 16;
constexpr int64_t NC = NR * 128;

typedef float vec __attribute__((vector_size(kVecBytes)));

inline vec load(const float* p) {
  vec v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
inline void store(float* p, const vec& v) { __builtin_memcpy(p, &v, sizeof v); }
inline int64_t smaller(int64_t x, int64_t y) { return x < y ? x : y; }

// op(A) rows [i0, i0 + mc), inner [p0, p0 + kc) into panels of MR rows: panel[p][i], zero-padded.
void packA(bool transA, const float* a, int64_t lda, int64_t i0, int64_t mc, int64_t p0, int64_t kc, float* out) {
  for (int64_t ir = 0; ir < mc; ir += MR) {
    const int64_t rows = smaller(MR, mc - ir);
    float* panel = out + ir * kc;
    if (transA) {
      for (int64_t p = 0; p < kc; p++) {
        const float* src = a + (p0 + p) * lda + i0 + ir;
        float* dst = panel + p * MR;
        int64_t i = 0;
        for (; i < rows; i++) dst[i] = src[i];
        for (; i < MR; i++) dst[i] = 0.f;
      }
    } else {
      for (int64_t i = 0; i < MR; i++) {
        if (i < rows) {
          const float* src = a + (i0 + ir + i) * lda + p0;
          for (int64_t p = 0; p < kc; p++) panel[p * MR + i] = src[p];
        } else {
          for (int64_t p = 0; p < kc; p++) panel[p * MR + i] = 0.f;
        }
      }
    }
  }
}

// op(B) inner [p0, p0 + kc), columns [j0, j0 + nc) into panels of NR columns: panel[p][j], zero-padded.
void packB(bool transB, const float* b, int64_t ldb, int64_t p0, int64_t kc, int64_t j0, int64_t nc, float* out) {
  for (int64_t jr = 0; jr < nc; jr += NR) {
    const int64_t cols = smaller(NR, nc - jr);
    float* panel = out + jr * kc;
    if (!transB) {
      for (int64_t p = 0; p < kc; p++) {
        const float* src = b + (p0 + p) * ldb + j0 + jr;
        float* dst = panel + p * NR;
        int64_t j = 0;
        for (; j < cols; j++) dst[j] = src[j];
        for (; j < NR; j++) dst[j] = 0.f;
      }
    } else {
      for (int64_t j = 0; j < NR; j++) {
        if (j < cols) {
          const float* src = b + (j0 + jr + j) * ldb + p0;
          for (int64_t p = 0; p < kc; p++) panel[p * NR + j] = src[p];
        } else {
          for (int64_t p = 0; p < kc; p++) panel[p * NR + j] = 0.f;
        }
      }
    }
  }
}

// The register tile: acc = Σ_p ap[p] ⊗ bp[p], then C = alpha · acc + beta · C on the valid rows x cols.
inline void tile(int64_t kc, const float* __restrict ap, const float* __restrict bp, float* __restrict c, int64_t ldc, int64_t rows, int64_t cols,
                 float alpha, float beta) {
  vec acc[MR][NV];
  for (int i = 0; i < MR; i++)
    for (int j = 0; j < NV; j++) acc[i][j] = vec{};
  for (int64_t p = 0; p < kc; p++) {
    vec bv[NV];
    for (int j = 0; j < NV; j++) bv[j] = load(bp + p * NR + j * W);
    for (int i = 0; i < MR; i++) {
      const float av = ap[p * MR + i];
      for (int j = 0; j < NV; j++) acc[i][j] += av * bv[j];
    }
  }
  if (rows == MR && cols == NR) {
    for (int i = 0; i < MR; i++)
      for (int j = 0; j < NV; j++) {
        float* dst = c + i * ldc + j * W;
        store(dst, beta == 0.f ? alpha * acc[i][j] : alpha * acc[i][j] + beta * load(dst));
      }
    return;
  }
  alignas(64) float buffer[MR * NR];
  for (int i = 0; i < MR; i++)
    for (int j = 0; j < NV; j++) store(buffer + i * NR + j * W, acc[i][j]);
  for (int64_t i = 0; i < rows; i++)
    for (int64_t j = 0; j < cols; j++) {
      float* dst = c + i * ldc + j;
      *dst = beta == 0.f ? alpha * buffer[i * NR + j] : alpha * buffer[i * NR + j] + beta * *dst;
    }
}

void run(bool transA, bool transB, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b, int64_t ldb, float beta,
         float* c, int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    for (int64_t i = 0; i < m; i++)
      for (int64_t j = 0; j < n; j++) c[i * ldc + j] = beta == 0.f ? 0.f : beta * c[i * ldc + j];
    return;
  }
  // Per thread: the pool's workers call this concurrently on disjoint parts of C.
  const int64_t kcMax = smaller(KC, k);
  float* packedA = grasp::threadScratch(0, (smaller(MC, m) + MR) * kcMax);
  float* packedB = grasp::threadScratch(1, (smaller(NC, n) + NR) * kcMax);
  for (int64_t jc = 0; jc < n; jc += NC) {
    const int64_t nc = smaller(NC, n - jc);
    for (int64_t pc = 0; pc < k; pc += KC) {
      const int64_t kc = smaller(KC, k - pc);
      const float betaHere = pc == 0 ? beta : 1.f;
      packB(transB, b, ldb, pc, kc, jc, nc, packedB);
      for (int64_t ic = 0; ic < m; ic += MC) {
        const int64_t mc = smaller(MC, m - ic);
        packA(transA, a, lda, ic, mc, pc, kc, packedA);
        for (int64_t jr = 0; jr < nc; jr += NR)
          for (int64_t ir = 0; ir < mc; ir += MR)
            tile(kc, packedA + ir * kc, packedB + jr * kc, c + (ic + ir) * ldc + jc + jr, ldc, smaller(MR, mc - ir),
                 smaller(NR, nc - jr), alpha, betaHere);
      }
    }
  }
}

}  // namespace

namespace grasp {
#if GRASP_GEMM_ISA == 2
void sgemmAvx512(bool transA, bool transB, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b, int64_t ldb,
                 float beta, float* c, int64_t ldc) {
  run(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
#elif GRASP_GEMM_ISA == 1
void sgemmAvx2(bool transA, bool transB, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b, int64_t ldb,
               float beta, float* c, int64_t ldc) {
  run(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
#else
void sgemmBaseline(bool transA, bool transB, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b, int64_t ldb,
                   float beta, float* c, int64_t ldc) {
  run(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
#endif
}  // namespace grasp
