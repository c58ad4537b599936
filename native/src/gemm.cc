// Which built-in sgemm kernel the addon runs (see gemm.h): the widest instruction set the CPU has,
// unless GRASP_GEMM caps it (builtin:avx2, builtin:baseline) so tests can reach every kernel.
#include "gemm.h"

#include <string>
#include <vector>

namespace grasp {
namespace {

struct Kernel {
  SgemmFn fn;
  const char* isa;
};

// The widest kernel the CPU runs, no wider than `cap` (avx512, avx2 or baseline).
Kernel widest(const std::string& cap) {
#if defined(__x86_64__) && defined(GRASP_GEMM_X64)
  __builtin_cpu_init();
  if (cap == "avx512" && __builtin_cpu_supports("avx512f")) return {sgemmAvx512, "avx512"};
  if (cap != "baseline" && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return {sgemmAvx2, "avx2"};
#endif
  return {sgemmBaseline, "baseline"};
}

Kernel g_kernel{sgemmBaseline, "baseline"};
std::string g_description = "built-in sgemm (baseline)";

}  // namespace

bool selectGemm(const char* wanted, const char** reason) {
  const std::string choice = wanted && *wanted ? wanted : "auto";
  const bool known = choice == "auto" || choice == "builtin" || choice == "builtin:avx512" || choice == "builtin:avx2" || choice == "builtin:baseline";
  g_kernel = widest(choice.size() > 8 ? choice.substr(8) : "avx512");
  g_description = std::string("built-in sgemm (") + g_kernel.isa + ")";
  if (!known) *reason = "GRASP_GEMM must be auto, builtin or builtin:avx512|avx2|baseline";
  return known;
}

void sgemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b, int64_t ldb,
           float beta, float* c, int64_t ldc) {
  g_kernel.fn(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

float* threadScratch(int slot, int64_t floats) {
  thread_local std::vector<float> buffers[3];
  std::vector<float>& buffer = buffers[slot];
  if (int64_t(buffer.size()) < floats) buffer.resize(size_t(floats));
  return buffer.data();
}

const char* gemmDescription() { return g_description.c_str(); }
const char* gemmCore() { return g_kernel.isa; }

}  // namespace grasp
