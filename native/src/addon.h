// What every binding file of the addon shares: the thread pool the kernels split work over, the
// N-API argument checks, and the list of bindings addon.cc registers. Bindings work on memory the
// caller owns (tfjs wasm heap or cpu typed arrays, passed as Float32Array views, never copied);
// every length is checked against the views before a pointer is touched, because a wrong offset
// here would corrupt the JS heap silently.
#pragma once
#include <node_api.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>

// Hot element-wise loops want AVX2 (the dropout hash needs 32-bit vector multiplies): an AVX2 clone is
// picked at load time where the CPU has it, the baseline build elsewhere.
#if defined(__x86_64__) && defined(__GNUC__)
#define GRASP_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define GRASP_VECTOR_CLONES
#endif

#define CHECK(call)                                                             \
  do {                                                                          \
    if ((call) != napi_ok) {                                                    \
      napi_throw_error(env, nullptr, "grasp_blas: N-API call failed: " #call); \
      return nullptr;                                                           \
    }                                                                           \
  } while (0)

// The prologue of a binding taking N arguments: `argc` (how many came) and `args`.
#define GRASP_ARGS(N)   \
  size_t argc = N;      \
  napi_value args[N];   \
  CHECK(napi_get_cb_info(env, info, &argc, args, nullptr, nullptr))

namespace grasp::binding {

// ---- the thread pool (addon.cc): persistent workers, the caller being worker 0
int poolSize();
// Runs task(w) for w in [0, poolSize()), the caller doing w = 0; returns when all are done.
void poolRun(const std::function<void(int)>& task);

// Splits [0, n) into at most poolSize() contiguous ranges of at least minPerTask and runs body(from, to)
// on each, in parallel.
template <typename F>
void parallelRanges(int64_t n, int64_t minPerTask, F&& body) {
  const int64_t tasks = std::min<int64_t>(poolSize(), std::max<int64_t>(1, n / std::max<int64_t>(1, minPerTask)));
  if (tasks <= 1) return body(int64_t(0), n);
  const int64_t per = (n + tasks - 1) / tasks;
  poolRun([&](int w) {
    if (w >= tasks) return;
    const int64_t from = w * per, to = std::min(n, from + per);
    if (from < to) body(from, to);
  });
}

// ---- argument checks (addon.cc)
struct View {
  float* data = nullptr;
  size_t length = 0;
};

bool float32View(napi_env env, napi_value value, float** data, size_t* length);
bool int32View(napi_env env, napi_value value, const int32_t** data, size_t* length);
bool int64Arg(napi_env env, napi_value value, int64_t* out);
bool doubleArg(napi_env env, napi_value value, double* out);
// args[0..count) as Float32Array views
bool views(napi_env env, napi_value* args, size_t count, View* out);
// Whether `batch` matrices of rows x cols, `stride` apart, fit in `length` elements.
bool fits(int64_t batch, int64_t stride, int64_t rows, int64_t cols, size_t length);

// Throw and return nullptr, so a failed check is one line: `if (…) return rangeError(env, "…");`
inline napi_value rangeError(napi_env env, const char* message) {
  napi_throw_range_error(env, nullptr, message);
  return nullptr;
}
inline napi_value typeError(napi_env env, const char* message) {
  napi_throw_type_error(env, nullptr, message);
  return nullptr;
}

// The dropout mask of element i for a seed: a stateless hash, so the backward pass (and the JS
// fallback, which computes the same 32-bit arithmetic with Math.imul) recreates it exactly.
inline uint32_t dropoutHash(uint32_t seed, uint32_t i) {
  uint32_t h = seed ^ (i * 0x9e3779b9u);
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

// ---- the bindings, one file per kernel family (the same families as src/core/engine/kernels/*.ts)
#define GRASP_BINDING(name) napi_value name(napi_env env, napi_callback_info info)
GRASP_BINDING(GemmBinding);           // gemm_binding.cc
GRASP_BINDING(AdamBinding);           // adam.cc
GRASP_BINDING(AdamRowsBinding);
GRASP_BINDING(ColumnSums);            // elementwise.cc
GRASP_BINDING(Dropout);
GRASP_BINDING(LayerNorm);
GRASP_BINDING(LayerNormGrad);
GRASP_BINDING(BiasActivation);
GRASP_BINDING(ReluGrad);
GRASP_BINDING(Gelu);
GRASP_BINDING(GeluGrad);
GRASP_BINDING(CountGreater);
GRASP_BINDING(Attention);             // attention.cc
GRASP_BINDING(AttentionGrad);
GRASP_BINDING(IndexedAttention);      // indexed_attention.cc
GRASP_BINDING(IndexedAttentionGrad);
GRASP_BINDING(PooledRows);            // rows.cc
GRASP_BINDING(PooledRowsGrad);
GRASP_BINDING(UnitRows);
GRASP_BINDING(UnitRowsGrad);
GRASP_BINDING(ScatterAddRows);
GRASP_BINDING(SoftmaxLossBinding);    // softmax_loss_binding.cc
GRASP_BINDING(GruBinding);            // gru_binding.cc
GRASP_BINDING(GruGradBinding);
#undef GRASP_BINDING

}  // namespace grasp::binding
