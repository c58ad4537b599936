// The one matrix product every kernel of the addon calls. Row-major, like cblas_sgemm(CblasRowMajor, …):
// C = alpha · op(A) · op(B) + beta · C, op(A) is m x k, op(B) is k x n; beta == 0 never reads C.
// Single-threaded: the addon's own pool splits the work, so no library threads compete with it.
//
// Two implementations, chosen when the addon loads (see gemm.cc): OpenBLAS when the build linked it
// statically (never a shared library: the addon must load on machines without one), else the
// built-in blocked kernel compiled for AVX-512, AVX2 or the baseline instruction set.
#pragma once
#include <cstdint>

namespace grasp {

using SgemmFn = void (*)(bool transA, bool transB, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b,
                         int64_t ldb, float beta, float* c, int64_t ldc);

void sgemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b, int64_t ldb,
           float beta, float* c, int64_t ldc);

// Picks the implementation: GRASP_GEMM=openblas|builtin overrides the default (OpenBLAS when linked);
// builtin:avx2 and builtin:baseline cap the instruction set, so tests can reach every kernel.
// Returns false with a reason when the requested one is not in this build.
bool selectGemm(const char* wanted, const char** reason);

// What runs: "OpenBLAS <config> (static, core <name>)" or "built-in sgemm (avx512, 12x32 tiles)".
const char* gemmDescription();
// The kernel family in use: OpenBLAS's core name, or the built-in kernel's instruction set.
const char* gemmCore();

// A per-thread buffer of at least `floats` floats (slot 0 or 1), kept between calls.
float* threadScratch(int slot, int64_t floats);

// Built-in kernels, one per instruction set (gemm_kernel.cc compiled with different flags).
void sgemmBaseline(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t, const float*, int64_t, float, float*, int64_t);
void sgemmAvx2(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t, const float*, int64_t, float, float*, int64_t);
void sgemmAvx512(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t, const float*, int64_t, float, float*, int64_t);

}  // namespace grasp
