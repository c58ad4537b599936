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
#include <vector>

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

// Splits [0, n) into at most poolSize() contiguous ranges of at least minPerWorker; each worker adds into
// its own zeroed `width` floats (accumulate(acc, from, to)), and these are summed in worker order, so the
// returned `width` totals do not depend on timing.
template <typename F>
std::vector<float> sumOverWorkers(int64_t n, int64_t minPerWorker, int64_t width, F&& accumulate) {
  const int workers = int(std::min<int64_t>(poolSize(), std::max<int64_t>(1, n / minPerWorker)));
  const int64_t per = (n + workers - 1) / workers;
  std::vector<float> partial(size_t(workers) * size_t(width), 0.f);
  auto work = [&](int w) {
    if (w >= workers) return;
    const int64_t from = w * per, to = std::min(n, from + per);
    if (from < to) accumulate(partial.data() + size_t(w) * size_t(width), from, to);
  };
  if (workers <= 1) work(0);
  else poolRun(work);
  std::vector<float> total(size_t(width), 0.f);
  for (int w = 0; w < workers; w++)
    for (int64_t j = 0; j < width; j++) total[size_t(j)] += partial[size_t(w) * size_t(width) + size_t(j)];
  return total;
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

// ---- the bindings, one file per kernel family (the same families as src/core/engine/kernels/*.ts), each
// as X(function, name in JS): declared below, and registered by addon.cc under its JS name.
#define GRASP_BINDINGS(X)                                                                                            \
  /* gemm_binding.cc */ X(GemmBinding, "gemm")                                                                       \
  /* adam.cc */ X(AdamBinding, "adam") X(AdamRowsBinding, "adamRows")                                                \
  /* elementwise.cc */ X(ColumnSums, "columnSums") X(Dropout, "dropout") X(LayerNorm, "layerNorm")                   \
  X(LayerNormGrad, "layerNormGrad") X(BiasActivation, "biasActivation") X(ReluGrad, "reluGrad")                      \
  X(Gelu, "gelu") X(GeluGrad, "geluGrad") X(CountGreater, "countGreater")                                            \
  /* attention.cc */ X(Attention, "attention") X(AttentionGrad, "attentionGrad")                                     \
  /* indexed_attention.cc */ X(IndexedAttention, "indexedAttention") X(IndexedAttentionGrad, "indexedAttentionGrad") \
  /* rows.cc */ X(PooledRows, "pooledRows") X(PooledRowsGrad, "pooledRowsGrad") X(UnitRows, "unitRows")              \
  X(UnitRowsGrad, "unitRowsGrad") X(ScatterAddRows, "scatterAddRows")                                                \
  /* softmax_loss_binding.cc */ X(SoftmaxLossBinding, "softmaxLoss")                                                 \
  /* gru_binding.cc */ X(GruBinding, "gru") X(GruGradBinding, "gruGrad")

#define GRASP_DECLARE_BINDING(function, name) napi_value function(napi_env env, napi_callback_info info);
GRASP_BINDINGS(GRASP_DECLARE_BINDING)
#undef GRASP_DECLARE_BINDING

}  // namespace grasp::binding
