// Which sgemm the addon runs (see gemm.h). GRASP_WITH_OPENBLAS is defined by binding.gyp only when
// the build links OpenBLAS statically; the built-in kernels are always there.
#include "gemm.h"

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#ifdef GRASP_WITH_OPENBLAS
#include <cblas.h>
#endif

namespace grasp {
namespace {

#ifdef GRASP_WITH_OPENBLAS
void sgemmOpenBlas(bool transA, bool transB, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b, int64_t ldb,
                   float beta, float* c, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, int(m), int(n), int(k), alpha, a, int(lda), b,
              int(ldb), beta, c, int(ldc));
}
#endif

struct Builtin {
  SgemmFn fn;
  const char* isa;
};

// The widest kernel the CPU runs, no wider than `cap` (avx512, avx2 or baseline: for tests).
Builtin bestBuiltin(const std::string& cap) {
#if defined(__x86_64__) && defined(GRASP_GEMM_X64)
  __builtin_cpu_init();
  if (cap == "avx512" && __builtin_cpu_supports("avx512f")) return {sgemmAvx512, "avx512"};
  if (cap != "baseline" && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return {sgemmAvx2, "avx2"};
#endif
  return {sgemmBaseline, "baseline"};
}

SgemmFn g_sgemm = nullptr;
std::string g_description, g_core;

void useBuiltin(const std::string& cap = "avx512") {
  const Builtin builtin = bestBuiltin(cap);
  g_sgemm = builtin.fn;
  g_core = builtin.isa;
  g_description = std::string("built-in sgemm (") + builtin.isa + ")";
}

#ifdef GRASP_WITH_OPENBLAS
void useOpenBlas() {
  // All parallelism is the addon's own pool: OpenBLAS's threads would compete with it.
  openblas_set_num_threads(1);
  g_sgemm = sgemmOpenBlas;
  g_core = openblas_get_corename();
  g_description = std::string("OpenBLAS ") + openblas_get_config() + " (statically linked)";
}
#endif

}  // namespace

bool selectGemm(const char* wanted, const char** reason) {
  const std::string choice = wanted && *wanted ? wanted : "auto";
  if (choice == "builtin" || choice == "builtin:avx512" || choice == "builtin:avx2" || choice == "builtin:baseline") {
    useBuiltin(choice == "builtin" ? "avx512" : choice.substr(8));
    return true;
  }
#ifdef GRASP_WITH_OPENBLAS
  if (choice == "auto" || choice == "openblas") {
    useOpenBlas();
    return true;
  }
#else
  if (choice == "auto") {
    useBuiltin();
    return true;
  }
  if (choice == "openblas") {
    useBuiltin();
    *reason = "GRASP_GEMM=openblas: this build has no OpenBLAS (built where libopenblas.a was not found)";
    return false;
  }
#endif
  useBuiltin();
  *reason = "GRASP_GEMM must be auto, openblas, builtin or builtin:avx512|avx2|baseline";
  return false;
}

void sgemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b, int64_t ldb,
           float beta, float* c, int64_t ldc) {
  g_sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

float* threadScratch(int slot, int64_t floats) {
  thread_local std::vector<float> buffers[2];
  std::vector<float>& buffer = buffers[slot];
  if (int64_t(buffer.size()) < floats) buffer.resize(size_t(floats));
  return buffer.data();
}

const char* gemmDescription() { return g_description.c_str(); }
const char* gemmCore() { return g_core.c_str(); }

}  // namespace grasp
