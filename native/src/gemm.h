// The one matrix product every kernel of the addon calls. Row-major, like cblas_sgemm(CblasRowMajor, …):
// C = alpha · op(A) · op(B) + beta · C, op(A) is m x k, op(B) is k x n; beta == 0 never reads C.
// Single-threaded: the addon's own pool splits the work, so no library threads compete with it.
//
// The addon's own blocked kernel (gemm_kernel.cc), compiled for AVX-512, AVX2 and the baseline
// instruction set and chosen when the addon loads (gemm.cc), so it needs no BLAS library anywhere.
// (A statically linked OpenBLAS 0.3.21 was measured against it on whole SASRec training steps and
// was no faster; see README, "The engine".)
#pragma once
#include <cstdint>

namespace grasp {

using SgemmFn = void (*)(bool transA, bool transB, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b,
                         int64_t ldb, float beta, float* c, int64_t ldc);

void sgemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b, int64_t ldb,
           float beta, float* c, int64_t ldc);

// Picks the kernel: the widest the CPU runs; GRASP_GEMM=builtin:avx2 or builtin:baseline caps the
// instruction set, so tests can reach every kernel. Returns false with a reason for an unknown value.
// Returns false with a reason when the requested one is not in this build.
bool selectGemm(const char* wanted, const char** reason);

// What runs: "built-in sgemm (avx512)".
const char* gemmDescription();
// The kernel's instruction set: avx512, avx2 or baseline.
const char* gemmCore();

// A per-thread buffer of at least `floats` floats, kept between calls, never zeroed: slots 0 and 1 are
// the sgemm kernel's packing buffers, slot 2 is free for a caller of sgemm (the softmax loss's logits).
float* threadScratch(int slot, int64_t floats);

// Built-in kernels, one per instruction set (gemm_kernel.cc compiled with different flags).
void sgemmBaseline(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t, const float*, int64_t, float, float*, int64_t);
void sgemmAvx2(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t, const float*, int64_t, float, float*, int64_t);
void sgemmAvx512(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t, const float*, int64_t, float, float*, int64_t);

}  // namespace grasp
