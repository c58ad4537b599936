// grasp_blas: the few dense kernels a training step spends its time in, computed on memory the
// caller owns (the tfjs wasm heap or the cpu backend's typed arrays, passed as Float32Array views,
// so nothing is copied); every matrix product goes through grasp::sgemm (gemm.h). Every length is checked against the views
// before any pointer is touched, because a wrong offset here would corrupt the JS heap silently.
#include <node_api.h>
#include "gemm.h"
#include "fast_math.h"
#include "gru.h"
#include "softmax_loss.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace {

// Hot element-wise loops want AVX2 (the dropout hash needs 32-bit vector multiplies): an AVX2 clone is picked at load time
// where the CPU has it, the baseline build elsewhere.
#if defined(__x86_64__) && defined(__GNUC__)
#define GRASP_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define GRASP_VECTOR_CLONES
#endif


int g_threads = 1;

// A small persistent pool: workers sleep on a condition variable between jobs (no spinning, so a
// busy machine loses nothing to idle threads), and sgemm itself is single-threaded: all
// parallelism is ours, so its threads and ours never compete for the same cores.
class Pool {
 public:
  void resize(int threads) {
    stop();
    size_ = std::max(1, threads);
    for (int i = 1; i < size_; i++) workers_.emplace_back([this, i, start = generation_] { loop(i, start); });
  }
  int size() const { return size_; }
  // Runs task(w) for w in [0, size()), the caller doing w = 0; returns when all are done.
  void run(const std::function<void(int)>& task) {
    if (size_ == 1) return task(0);
    // One job at a time, even if the addon is used from several JS threads (worker_threads).
    std::lock_guard<std::mutex> serial(runMutex_);
    {
      std::unique_lock<std::mutex> lock(mutex_);
      task_ = &task;
      pending_ = size_ - 1;
      generation_++;
    }
    wake_.notify_all();
    task(0);
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
    task_ = nullptr;
  }
  ~Pool() { stop(); }

 private:
  // `seen` starts at the generation current when the worker was made: earlier jobs are not its own.
  void loop(int index, uint64_t seen) {
    for (;;) {
      const std::function<void(int)>* task;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return quit_ || generation_ != seen; });
        if (quit_) return;
        seen = generation_;
        task = task_;
      }
      (*task)(index);
      std::unique_lock<std::mutex> lock(mutex_);
      if (--pending_ == 0) done_.notify_one();
    }
  }
  void stop() {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      quit_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
    quit_ = false;
  }
  std::vector<std::thread> workers_;
  std::mutex mutex_, runMutex_;
  std::condition_variable wake_, done_;
  const std::function<void(int)>* task_ = nullptr;
  int pending_ = 0;
  uint64_t generation_ = 0;
  bool quit_ = false;
  int size_ = 1;
};

Pool g_pool;

// Splits [0, n) into size() contiguous ranges and runs body(from, to) on each, in parallel.
template <typename F>
void parallelRanges(int64_t n, int64_t minPerTask, F&& body) {
  const int64_t tasks = std::min<int64_t>(g_pool.size(), std::max<int64_t>(1, n / std::max<int64_t>(1, minPerTask)));
  if (tasks <= 1) return body(int64_t(0), n);
  const int64_t per = (n + tasks - 1) / tasks;
  g_pool.run([&](int w) {
    if (w >= tasks) return;
    const int64_t from = w * per, to = std::min(n, from + per);
    if (from < to) body(from, to);
  });
}

#define CHECK(call)                                                                 \
  do {                                                                              \
    if ((call) != napi_ok) {                                                        \
      napi_throw_error(env, nullptr, "grasp_blas: N-API call failed: " #call);     \
      return nullptr;                                                               \
    }                                                                               \
  } while (0)

bool float32View(napi_env env, napi_value value, float** data, size_t* length) {
  bool isTyped = false;
  if (napi_is_typedarray(env, value, &isTyped) != napi_ok || !isTyped) return false;
  napi_typedarray_type type;
  void* raw = nullptr;
  napi_value buffer;
  size_t offset = 0;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, &buffer, &offset) != napi_ok) return false;
  if (type != napi_float32_array) return false;
  *data = static_cast<float*>(raw);
  return true;
}

bool int64Arg(napi_env env, napi_value value, int64_t* out) {
  return napi_get_value_int64(env, value, out) == napi_ok;
}

bool doubleArg(napi_env env, napi_value value, double* out) {
  return napi_get_value_double(env, value, out) == napi_ok;
}

// Elements one operand of `batch` matrices of rows x cols reaches, with `stride` between matrices.
bool fits(int64_t batch, int64_t stride, int64_t rows, int64_t cols, size_t length) {
  if (batch <= 0 || rows < 0 || cols < 0 || stride < 0) return false;
  const int64_t last = (batch - 1) * stride + rows * cols;
  return last <= static_cast<int64_t>(length);
}

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
    const int threads = g_pool.size();
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
      g_pool.run([&](int w) {
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

// gemm(a, b, c, batch, m, n, k, transA, transB, strideA, strideB, strideC, alpha, beta)
// C[i] = alpha * op(A[i]) * op(B[i]) + beta * C[i], row-major; a stride of 0 broadcasts one matrix.
napi_value GemmBinding(napi_env env, napi_callback_info info) {
  size_t argc = 14;
  napi_value args[14];
  CHECK(napi_get_cb_info(env, info, &argc, args, nullptr, nullptr));
  if (argc != 14) {
    napi_throw_type_error(env, nullptr, "grasp_blas.gemm: expected 14 arguments");
    return nullptr;
  }
  float *a, *b, *c;
  size_t lenA, lenB, lenC;
  if (!float32View(env, args[0], &a, &lenA) || !float32View(env, args[1], &b, &lenB) || !float32View(env, args[2], &c, &lenC)) {
    napi_throw_type_error(env, nullptr, "grasp_blas.gemm: a, b and c must be Float32Arrays");
    return nullptr;
  }
  int64_t batch, m, n, k, strideA, strideB, strideC;
  bool transA, transB;
  double alpha, beta;
  if (!int64Arg(env, args[3], &batch) || !int64Arg(env, args[4], &m) || !int64Arg(env, args[5], &n) || !int64Arg(env, args[6], &k) ||
      napi_get_value_bool(env, args[7], &transA) != napi_ok || napi_get_value_bool(env, args[8], &transB) != napi_ok ||
      !int64Arg(env, args[9], &strideA) || !int64Arg(env, args[10], &strideB) || !int64Arg(env, args[11], &strideC) ||
      !doubleArg(env, args[12], &alpha) || !doubleArg(env, args[13], &beta)) {
    napi_throw_type_error(env, nullptr, "grasp_blas.gemm: bad scalar argument");
    return nullptr;
  }
  if (batch == 0 || m == 0 || n == 0) return nullptr;
  const int64_t limit = int64_t(1) << 31;
  if (m >= limit || n >= limit || k >= limit || !fits(batch, strideA, m, k, lenA) || !fits(batch, strideB, k, n, lenB) ||
      !fits(batch, strideC, m, n, lenC) || (strideC < m * n && batch > 1)) {
    napi_throw_range_error(env, nullptr, "grasp_blas.gemm: shapes do not fit the arrays");
    return nullptr;
  }
  if (k == 0) {  // an empty sum: C = beta * C
    for (int64_t i = 0; i < batch; i++)
      for (int64_t j = 0; j < m * n; j++) c[i * strideC + j] = beta == 0 ? 0.f : float(beta) * c[i * strideC + j];
    return nullptr;
  }
  Gemm job{a, b, c, m, n, k, strideA, strideB, strideC, transA, transB, float(alpha), float(beta), batch};
  job.run();
  return nullptr;
}


struct AdamArgs {
  float lr, beta1, beta2, epsilon;
  double step;
  float stepSize() const { return float(lr / (1.0 - std::pow(double(beta1), step))); }
  float correction2() const { return float(std::sqrt(1.0 - std::pow(double(beta2), step))); }
};

// PyTorch's Adam: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g²; p -= lr/(1-b1^t) · m / (sqrt(v)/sqrt(1-b2^t) + eps).
GRASP_VECTOR_CLONES void adamSpan(float* p, const float* g, float* m, float* v, int64_t n, const AdamArgs& a) {
  const float stepSize = a.stepSize(), c2 = a.correction2(), b1 = a.beta1, b2 = a.beta2, eps = a.epsilon;
  for (int64_t i = 0; i < n; i++) {
    const float gi = g[i];
    const float mi = b1 * m[i] + (1.f - b1) * gi;
    const float vi = b2 * v[i] + (1.f - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] -= stepSize * mi / (std::sqrt(vi) / c2 + eps);
  }
}

bool adamScalars(napi_env env, napi_value* args, AdamArgs* out) {
  double lr, b1, b2, eps, step;
  if (!doubleArg(env, args[0], &lr) || !doubleArg(env, args[1], &b1) || !doubleArg(env, args[2], &b2) || !doubleArg(env, args[3], &eps) ||
      !doubleArg(env, args[4], &step) || step < 1) {
    napi_throw_type_error(env, nullptr, "grasp_blas.adam: bad lr/beta1/beta2/epsilon/step");
    return false;
  }
  *out = AdamArgs{float(lr), float(b1), float(b2), float(eps), step};
  return true;
}

// adam(param, grad, m, v, lr, beta1, beta2, epsilon, step)
napi_value AdamBinding(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value args[9];
  CHECK(napi_get_cb_info(env, info, &argc, args, nullptr, nullptr));
  float *p, *g, *m, *v;
  size_t lp, lg, lm, lv;
  if (argc != 9 || !float32View(env, args[0], &p, &lp) || !float32View(env, args[1], &g, &lg) || !float32View(env, args[2], &m, &lm) ||
      !float32View(env, args[3], &v, &lv)) {
    napi_throw_type_error(env, nullptr, "grasp_blas.adam: expected (param, grad, m, v: Float32Array, lr, beta1, beta2, epsilon, step)");
    return nullptr;
  }
  if (lg != lp || lm != lp || lv != lp) {
    napi_throw_range_error(env, nullptr, "grasp_blas.adam: param, grad, m and v differ in length");
    return nullptr;
  }
  AdamArgs a;
  if (!adamScalars(env, args + 4, &a)) return nullptr;
  parallelRanges(int64_t(lp), 1 << 15, [&](int64_t from, int64_t to) { adamSpan(p + from, g + from, m + from, v + from, to - from, a); });
  return nullptr;
}

// adamRows(param, grad, m, v, rows: Int32Array, width, lr, beta1, beta2, epsilon, step)
napi_value AdamRowsBinding(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value args[11];
  CHECK(napi_get_cb_info(env, info, &argc, args, nullptr, nullptr));
  float *p, *g, *m, *v;
  size_t lp, lg, lm, lv;
  if (argc != 11 || !float32View(env, args[0], &p, &lp) || !float32View(env, args[1], &g, &lg) || !float32View(env, args[2], &m, &lm) ||
      !float32View(env, args[3], &v, &lv)) {
    napi_throw_type_error(env, nullptr, "grasp_blas.adamRows: expected (param, grad, m, v: Float32Array, rows: Int32Array, width, lr, beta1, beta2, epsilon, step)");
    return nullptr;
  }
  bool isTyped = false;
  napi_typedarray_type type;
  size_t nRows = 0, offset = 0;
  void* raw = nullptr;
  napi_value buffer;
  int64_t width = 0;
  if (napi_is_typedarray(env, args[4], &isTyped) != napi_ok || !isTyped ||
      napi_get_typedarray_info(env, args[4], &type, &nRows, &raw, &buffer, &offset) != napi_ok || type != napi_int32_array ||
      !int64Arg(env, args[5], &width) || width <= 0) {
    napi_throw_type_error(env, nullptr, "grasp_blas.adamRows: rows must be an Int32Array and width positive");
    return nullptr;
  }
  const int32_t* rows = static_cast<const int32_t*>(raw);
  const int64_t tableRows = int64_t(lp) / width;
  if (lm != lp || lv != lp || int64_t(lp) % width != 0 || int64_t(lg) != int64_t(nRows) * width) {
    napi_throw_range_error(env, nullptr, "grasp_blas.adamRows: shapes do not fit the arrays");
    return nullptr;
  }
  for (size_t i = 0; i < nRows; i++) {
    if (rows[i] < 0 || rows[i] >= tableRows) {
      napi_throw_range_error(env, nullptr, "grasp_blas.adamRows: a row index is outside the table");
      return nullptr;
    }
  }
  AdamArgs a;
  if (!adamScalars(env, args + 6, &a)) return nullptr;
  // Rows must be distinct (the caller passes unique ids), so threads never touch the same row.
  parallelRanges(int64_t(nRows), std::max<int64_t>(1, (1 << 15) / width), [&](int64_t from, int64_t to) {
    for (int64_t i = from; i < to; i++) {
      const int64_t r = rows[i] * width;
      adamSpan(p + r, g + i * width, m + r, v + r, width, a);
    }
  });
  return nullptr;
}

// ---------------------------------------------------------------- element-wise and row kernels
// These replace chains of tfjs kernels (each a full pass over memory) with one or two passes.

struct View {
  float* data = nullptr;
  size_t length = 0;
};

bool views(napi_env env, napi_value* args, size_t count, View* out) {
  for (size_t i = 0; i < count; i++)
    if (!float32View(env, args[i], &out[i].data, &out[i].length)) return false;
  return true;
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

GRASP_VECTOR_CLONES void dropoutSpan(const float* x, float* out, int64_t from, int64_t to, uint32_t seed, uint32_t threshold, float scale) {
  const uint32_t n = uint32_t(to - from), base = uint32_t(from);
  const float* xs = x + from;
  float* os = out + from;
#pragma omp simd
  for (uint32_t j = 0; j < n; j++) {
    const float keep = float(dropoutHash(seed, base + j) >= threshold);  // branch-free, so it vectorises
    os[j] = xs[j] * keep * scale;
  }
}

GRASP_VECTOR_CLONES void biasActivationSpan(float* y, const float* bias, int64_t r0, int64_t r1, int64_t cols, bool relu) {
  for (int64_t r = r0; r < r1; r++) {
    float* row = y + r * cols;
    if (relu) {
#pragma omp simd
      for (int64_t j = 0; j < cols; j++) row[j] = std::max(0.f, row[j] + bias[j]);
    } else {
#pragma omp simd
      for (int64_t j = 0; j < cols; j++) row[j] += bias[j];
    }
  }
}

GRASP_VECTOR_CLONES void reluGradSpan(const float* dy, const float* y, float* out, int64_t from, int64_t to) {
#pragma omp simd
  for (int64_t i = from; i < to; i++) out[i] = y[i] > 0.f ? dy[i] : 0.f;
}

GRASP_VECTOR_CLONES void countGreaterRows(const float* scores, int64_t cols, const int32_t* targets, int32_t* out, int64_t r0, int64_t r1) {
  for (int64_t r = r0; r < r1; r++) {
    const float* row = scores + r * cols;
    const float target = row[targets[r]];
    int32_t count = 0;
#pragma omp simd reduction(+ : count)
    for (int64_t j = 0; j < cols; j++) count += row[j] > target ? 1 : 0;
    out[r] = count;
  }
}

inline float rowSum(const float* x, int64_t n) {
  float total = 0;
#pragma omp simd reduction(+ : total)
  for (int64_t j = 0; j < n; j++) total += x[j];
  return total;
}

inline float rowSquaredDeviation(const float* x, int64_t n, float mean) {
  float total = 0;
#pragma omp simd reduction(+ : total)
  for (int64_t j = 0; j < n; j++) total += (x[j] - mean) * (x[j] - mean);
  return total;
}

// columnSums(x, rows, cols, out): out[j] = sum_r x[r, j]
napi_value ColumnSums(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value args[4];
  CHECK(napi_get_cb_info(env, info, &argc, args, nullptr, nullptr));
  View v[2];
  int64_t rows, cols;
  if (argc != 4 || !views(env, args, 1, v) || !float32View(env, args[3], &v[1].data, &v[1].length) || !int64Arg(env, args[1], &rows) ||
      !int64Arg(env, args[2], &cols) || rows < 0 || cols <= 0 || int64_t(v[0].length) < rows * cols || int64_t(v[1].length) < cols) {
    napi_throw_range_error(env, nullptr, "grasp_blas.columnSums: expected (x, rows, cols, out) that fit");
    return nullptr;
  }
  const float* x = v[0].data;
  float* out = v[1].data;
  const int threads = g_pool.size();
  std::vector<float> partial(size_t(threads) * cols, 0.f);
  const int64_t per = (rows + threads - 1) / threads;
  g_pool.run([&](int w) {
    float* acc = partial.data() + size_t(w) * cols;
    const int64_t r1 = std::min(rows, (w + 1) * per);
    for (int64_t r = w * per; r < r1; r++) {
      const float* row = x + r * cols;
      for (int64_t j = 0; j < cols; j++) acc[j] += row[j];
    }
  });
  for (int64_t j = 0; j < cols; j++) {
    float total = 0;
    for (int w = 0; w < threads; w++) total += partial[size_t(w) * cols + j];
    out[j] = total;
  }
  return nullptr;
}

// dropout(x, out, seed, rate): out = x * keep / (1 - rate), keep = hash(seed, i) >= rate * 2^32
napi_value Dropout(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value args[4];
  CHECK(napi_get_cb_info(env, info, &argc, args, nullptr, nullptr));
  View v[2];
  int64_t seed;
  double rate;
  if (argc != 4 || !views(env, args, 2, v) || !int64Arg(env, args[2], &seed) || !doubleArg(env, args[3], &rate) || rate < 0 || rate >= 1 ||
      v[1].length < v[0].length) {
    napi_throw_range_error(env, nullptr, "grasp_blas.dropout: expected (x, out, seed, rate in [0, 1))");
    return nullptr;
  }
  const float* x = v[0].data;
  float* out = v[1].data;
  const uint32_t threshold = uint32_t(std::min(4294967295.0, std::floor(rate * 4294967296.0)));
  const float scale = float(1.0 / (1.0 - rate));
  const uint32_t s = uint32_t(seed);
  parallelRanges(int64_t(v[0].length), 1 << 15, [&](int64_t from, int64_t to) { dropoutSpan(x, out, from, to, s, threshold, scale); });
  return nullptr;
}

// layerNorm(x, gamma, beta, out, rows, cols, eps): per row, (x - mean) / sqrt(var + eps) * gamma + beta
napi_value LayerNorm(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value args[7];
  CHECK(napi_get_cb_info(env, info, &argc, args, nullptr, nullptr));
  View v[4];
  int64_t rows, cols;
  double eps;
  if (argc != 7 || !views(env, args, 4, v) || !int64Arg(env, args[4], &rows) || !int64Arg(env, args[5], &cols) || !doubleArg(env, args[6], &eps) ||
      rows < 0 || cols <= 0 || int64_t(v[0].length) < rows * cols || int64_t(v[3].length) < rows * cols || int64_t(v[1].length) < cols ||
      int64_t(v[2].length) < cols) {
    napi_throw_range_error(env, nullptr, "grasp_blas.layerNorm: expected (x, gamma, beta, out, rows, cols, eps) that fit");
    return nullptr;
  }
  const float *x = v[0].data, *gamma = v[1].data, *beta = v[2].data;
  float* out = v[3].data;
  parallelRanges(rows, 256, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const float* xr = x + r * cols;
      float* yr = out + r * cols;
      const float mean = rowSum(xr, cols) / float(cols);
      const float rstd = 1.f / std::sqrt(rowSquaredDeviation(xr, cols, mean) / float(cols) + float(eps));
#pragma omp simd
      for (int64_t j = 0; j < cols; j++) yr[j] = (xr[j] - mean) * rstd * gamma[j] + beta[j];
    }
  });
  return nullptr;
}

// layerNormGrad(dy, x, gamma, dx, dgamma, dbeta, rows, cols, eps)
napi_value LayerNormGrad(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value args[9];
  CHECK(napi_get_cb_info(env, info, &argc, args, nullptr, nullptr));
  View v[6];
  int64_t rows, cols;
  double eps;
  if (argc != 9 || !views(env, args, 6, v) || !int64Arg(env, args[6], &rows) || !int64Arg(env, args[7], &cols) || !doubleArg(env, args[8], &eps) ||
      rows < 0 || cols <= 0 || int64_t(v[0].length) < rows * cols || int64_t(v[1].length) < rows * cols || int64_t(v[3].length) < rows * cols ||
      int64_t(v[2].length) < cols || int64_t(v[4].length) < cols || int64_t(v[5].length) < cols) {
    napi_throw_range_error(env, nullptr, "grasp_blas.layerNormGrad: expected (dy, x, gamma, dx, dgamma, dbeta, rows, cols, eps) that fit");
    return nullptr;
  }
  const float *dy = v[0].data, *x = v[1].data, *gamma = v[2].data;
  float *dx = v[3].data, *dgamma = v[4].data, *dbeta = v[5].data;
  const int threads = g_pool.size();
  std::vector<float> partial(size_t(threads) * 2 * cols, 0.f);
  const int64_t per = (rows + threads - 1) / threads;
  g_pool.run([&](int w) {
    float* pg = partial.data() + size_t(w) * 2 * cols;
    float* pb = pg + cols;
    std::vector<float> xhat(cols);
    const int64_t r1 = std::min(rows, (w + 1) * per);
    for (int64_t r = w * per; r < r1; r++) {
      const float* xr = x + r * cols;
      const float* gr = dy + r * cols;
      const float mean = rowSum(xr, cols) / float(cols);
      const float rstd = 1.f / std::sqrt(rowSquaredDeviation(xr, cols, mean) / float(cols) + float(eps));
      float sumG = 0, sumGX = 0;  // sums of g = dy*gamma and g*xhat over the row
#pragma omp simd reduction(+ : sumG, sumGX)
      for (int64_t j = 0; j < cols; j++) {
        xhat[j] = (xr[j] - mean) * rstd;
        const float g = gr[j] * gamma[j];
        sumG += g;
        sumGX += g * xhat[j];
        pg[j] += gr[j] * xhat[j];
        pb[j] += gr[j];
      }
      const float invN = 1.f / float(cols);
      float* dr = dx + r * cols;
#pragma omp simd
      for (int64_t j = 0; j < cols; j++) dr[j] = rstd * (gr[j] * gamma[j] - invN * sumG - xhat[j] * invN * sumGX);
    }
  });
  for (int64_t j = 0; j < cols; j++) {
    float g = 0, b = 0;
    for (int w = 0; w < threads; w++) {
      g += partial[size_t(w) * 2 * cols + j];
      b += partial[size_t(w) * 2 * cols + cols + j];
    }
    dgamma[j] = g;
    dbeta[j] = b;
  }
  return nullptr;
}

// biasActivation(y, bias, rows, cols, relu): y[r, :] += bias, then max(0, ·) when relu — in place.
napi_value BiasActivation(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value args[5];
  CHECK(napi_get_cb_info(env, info, &argc, args, nullptr, nullptr));
  View v[2];
  int64_t rows, cols;
  bool relu;
  if (argc != 5 || !views(env, args, 2, v) || !int64Arg(env, args[2], &rows) || !int64Arg(env, args[3], &cols) ||
      napi_get_value_bool(env, args[4], &relu) != napi_ok || rows < 0 || cols <= 0 || int64_t(v[0].length) < rows * cols ||
      int64_t(v[1].length) < cols) {
    napi_throw_range_error(env, nullptr, "grasp_blas.biasActivation: expected (y, bias, rows, cols, relu) that fit");
    return nullptr;
  }
  float* y = v[0].data;
  const float* bias = v[1].data;
  parallelRanges(rows, 512, [&](int64_t r0, int64_t r1) { biasActivationSpan(y, bias, r0, r1, cols, relu); });
  return nullptr;
}

// reluGrad(dy, y, out): out = dy where y > 0, else 0
napi_value ReluGrad(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value args[3];
  CHECK(napi_get_cb_info(env, info, &argc, args, nullptr, nullptr));
  View v[3];
  if (argc != 3 || !views(env, args, 3, v) || v[1].length < v[0].length || v[2].length < v[0].length) {
    napi_throw_range_error(env, nullptr, "grasp_blas.reluGrad: expected (dy, y, out) of one length");
    return nullptr;
  }
  const float *dy = v[0].data, *y = v[1].data;
  float* out = v[2].data;
  parallelRanges(int64_t(v[0].length), 1 << 15, [&](int64_t from, int64_t to) { reluGradSpan(dy, y, out, from, to); });
  return nullptr;
}

// ---------------------------------------------------------------- fused attention
// Scaled dot-product attention over BH independent (batch x head) slices of [L, dh]: scores with an
// additive bias, softmax, dropout on the weights (the same hash as dropout(), indexed by the flat
// position in the [BH, L, L] weights), weighted sum of values. The forward pass also returns the
// softmax weights (before dropout), which is all the backward pass needs besides q, k, v.
struct AttentionShape {
  int64_t bh, L, dh, heads;
  int biasMode;  // 0 none, 1 one [L, L] for all, 2 per batch row [B, L] over keys (B = bh / heads)
  float scale;
  uint32_t seed, threshold;
  float keepScale;
  bool dropout;
};

inline float keepFactor(const AttentionShape& a, int64_t b, int64_t i, int64_t j) {
  if (!a.dropout) return 1.f;
  const uint32_t index = uint32_t((b * a.L + i) * a.L + j);
  return dropoutHash(a.seed, index) >= a.threshold ? a.keepScale : 0.f;
}

bool attentionShape(napi_env env, napi_value* args, int64_t qLength, int64_t biasLength, AttentionShape* out) {
  int64_t bh, L, dh, heads, biasMode, seed;
  double scale, rate;
  if (!int64Arg(env, args[0], &bh) || !int64Arg(env, args[1], &L) || !int64Arg(env, args[2], &dh) || !int64Arg(env, args[3], &heads) ||
      !int64Arg(env, args[4], &biasMode) || !doubleArg(env, args[5], &scale) || !doubleArg(env, args[6], &rate) || !int64Arg(env, args[7], &seed) ||
      bh <= 0 || L <= 0 || dh <= 0 || heads <= 0 || bh % heads != 0 || biasMode < 0 || biasMode > 2 || rate < 0 || rate >= 1 || qLength < bh * L * dh ||
      (biasMode == 1 && biasLength < L * L) || (biasMode == 2 && biasLength < (bh / heads) * L)) {
    napi_throw_range_error(env, nullptr, "grasp_blas.attention: bad shape, bias or rate");
    return false;
  }
  *out = AttentionShape{bh, L, dh, heads, int(biasMode), float(scale), uint32_t(seed),
                        uint32_t(std::min(4294967295.0, std::floor(rate * 4294967296.0))), float(1.0 / (1.0 - rate)), rate > 0};
  return true;
}

// attention(q, k, v, bias, out, probs, bh, L, dh, heads, biasMode, scale, rate, seed)
napi_value Attention(napi_env env, napi_callback_info info) {
  size_t argc = 14;
  napi_value args[14];
  CHECK(napi_get_cb_info(env, info, &argc, args, nullptr, nullptr));
  View v[6];
  AttentionShape a;
  if (argc != 14 || !views(env, args, 6, v)) {
    napi_throw_type_error(env, nullptr, "grasp_blas.attention: expected (q, k, v, bias, out, probs: Float32Array, bh, L, dh, heads, biasMode, scale, rate, seed)");
    return nullptr;
  }
  if (!attentionShape(env, args + 6, int64_t(v[0].length), int64_t(v[3].length), &a)) return nullptr;
  const int64_t L = a.L, dh = a.dh, slice = L * dh;
  if (int64_t(v[1].length) < a.bh * slice || int64_t(v[2].length) < a.bh * slice || int64_t(v[4].length) < a.bh * slice ||
      int64_t(v[5].length) < a.bh * L * L) {
    napi_throw_range_error(env, nullptr, "grasp_blas.attention: arrays too short");
    return nullptr;
  }
  const float *q = v[0].data, *k = v[1].data, *val = v[2].data, *bias = v[3].data;
  float *out = v[4].data, *probs = v[5].data;
  parallelRanges(a.bh, 1, [&](int64_t from, int64_t to) {
    std::vector<float> weights(L * L);
    for (int64_t b = from; b < to; b++) {
      float* P = probs + b * L * L;
      grasp::sgemm(false, true, int(L), int(L), int(dh), a.scale, q + b * slice, int(dh), k + b * slice, int(dh), 0.f, P, int(L));
      for (int64_t i = 0; i < L; i++) {
        float* row = P + i * L;
        if (a.biasMode == 1)
          for (int64_t j = 0; j < L; j++) row[j] += bias[i * L + j];
        else if (a.biasMode == 2)
          for (int64_t j = 0; j < L; j++) row[j] += bias[(b / a.heads) * L + j];
        float peak = row[0];
        for (int64_t j = 1; j < L; j++) peak = std::max(peak, row[j]);
        float total = 0;
        for (int64_t j = 0; j < L; j++) total += (row[j] = std::exp(row[j] - peak));
        const float inv = 1.f / total;
        for (int64_t j = 0; j < L; j++) {
          row[j] *= inv;
          weights[i * L + j] = row[j] * keepFactor(a, b, i, j);
        }
      }
      grasp::sgemm(false, false, int(L), int(dh), int(L), 1.f, weights.data(), int(L), val + b * slice, int(dh), 0.f, out + b * slice,
                  int(dh));
    }
  });
  return nullptr;
}

// attentionGrad(dOut, q, k, v, probs, dq, dk, dv, bh, L, dh, heads, biasMode, scale, rate, seed)
napi_value AttentionGrad(napi_env env, napi_callback_info info) {
  size_t argc = 16;
  napi_value args[16];
  CHECK(napi_get_cb_info(env, info, &argc, args, nullptr, nullptr));
  View v[8];
  AttentionShape a;
  if (argc != 16 || !views(env, args, 8, v)) {
    napi_throw_type_error(env, nullptr, "grasp_blas.attentionGrad: expected (dOut, q, k, v, probs, dq, dk, dv: Float32Array, bh, L, dh, heads, biasMode, scale, rate, seed)");
    return nullptr;
  }
  if (!attentionShape(env, args + 8, int64_t(v[1].length), 0x7fffffff, &a)) return nullptr;
  const int64_t L = a.L, dh = a.dh, slice = L * dh;
  for (int i : {0, 1, 2, 3, 5, 6, 7})
    if (int64_t(v[i].length) < a.bh * slice) {
      napi_throw_range_error(env, nullptr, "grasp_blas.attentionGrad: arrays too short");
      return nullptr;
    }
  if (int64_t(v[4].length) < a.bh * L * L) {
    napi_throw_range_error(env, nullptr, "grasp_blas.attentionGrad: probs too short");
    return nullptr;
  }
  const float *dOut = v[0].data, *q = v[1].data, *k = v[2].data, *val = v[3].data, *probs = v[4].data;
  float *dq = v[5].data, *dk = v[6].data, *dv = v[7].data;
  parallelRanges(a.bh, 1, [&](int64_t from, int64_t to) {
    std::vector<float> weights(L * L), dScores(L * L);
    for (int64_t b = from; b < to; b++) {
      const float* P = probs + b * L * L;
      for (int64_t i = 0; i < L; i++)
        for (int64_t j = 0; j < L; j++) weights[i * L + j] = P[i * L + j] * keepFactor(a, b, i, j);
      // dv = weights^T · dOut ; d(weights) = dOut · v^T
      grasp::sgemm(true, false, int(L), int(dh), int(L), 1.f, weights.data(), int(L), dOut + b * slice, int(dh), 0.f, dv + b * slice,
                  int(dh));
      grasp::sgemm(false, true, int(L), int(L), int(dh), 1.f, dOut + b * slice, int(dh), val + b * slice, int(dh), 0.f,
                  dScores.data(), int(L));
      // through dropout, then softmax: dS = P ⊙ (dP − Σ_j dP ⊙ P)
      for (int64_t i = 0; i < L; i++) {
        float* row = dScores.data() + i * L;
        const float* p = P + i * L;
        float dot = 0;
        for (int64_t j = 0; j < L; j++) {
          row[j] *= keepFactor(a, b, i, j);
          dot += row[j] * p[j];
        }
        for (int64_t j = 0; j < L; j++) row[j] = p[j] * (row[j] - dot);
      }
      // scores = scale · q k^T: dq = scale · dS k ; dk = scale · dS^T q
      grasp::sgemm(false, false, int(L), int(dh), int(L), a.scale, dScores.data(), int(L), k + b * slice, int(dh), 0.f,
                  dq + b * slice, int(dh));
      grasp::sgemm(true, false, int(L), int(dh), int(L), a.scale, dScores.data(), int(L), q + b * slice, int(dh), 0.f,
                  dk + b * slice, int(dh));
    }
  });
  return nullptr;
}

// ---------------------------------------------------------------- indexed attention
// Row r of q attends over the rows index[r, s] (−1: no slot) of keys and values: the GRASP item and
// user levels (see src/core/engine/kernels/indexedAttention.ts, whose JS loops compute the same).
struct IndexedShape {
  int64_t rows, slots, width, table;
  float scale;
};

bool int32View(napi_env env, napi_value value, const int32_t** data, size_t* length) {
  bool isTyped = false;
  napi_typedarray_type type;
  size_t offset = 0;
  void* raw = nullptr;
  napi_value buffer;
  if (napi_is_typedarray(env, value, &isTyped) != napi_ok || !isTyped ||
      napi_get_typedarray_info(env, value, &type, length, &raw, &buffer, &offset) != napi_ok || type != napi_int32_array)
    return false;
  *data = static_cast<const int32_t*>(raw);
  return true;
}

// Reads (rows, slots, width, table, scale) and checks the index against them: every entry in [−1, table).
bool indexedShape(napi_env env, napi_value* args, const int32_t* index, size_t indexLength, IndexedShape* out) {
  int64_t rows, slots, width, table;
  double scale;
  if (!int64Arg(env, args[0], &rows) || !int64Arg(env, args[1], &slots) || !int64Arg(env, args[2], &width) || !int64Arg(env, args[3], &table) ||
      !doubleArg(env, args[4], &scale) || rows < 0 || slots <= 0 || width <= 0 || table < 0 || int64_t(indexLength) < rows * slots) {
    napi_throw_range_error(env, nullptr, "grasp_blas.indexedAttention: bad shape");
    return false;
  }
  for (int64_t i = 0; i < rows * slots; i++)
    if (index[i] < -1 || index[i] >= table) {
      napi_throw_range_error(env, nullptr, "grasp_blas.indexedAttention: an index is outside the table");
      return false;
    }
  *out = IndexedShape{rows, slots, width, table, float(scale)};
  return true;
}

GRASP_VECTOR_CLONES void indexedAttentionRows(const float* q, const float* keys, const float* values, const int32_t* index, float* out, float* weights,
                                              const IndexedShape& a, int64_t r0, int64_t r1) {
  const int64_t S = a.slots, d = a.width;
  for (int64_t r = r0; r < r1; r++) {
    const float* qr = q + r * d;
    const int32_t* at = index + r * S;
    float* w = weights + r * S;
    float* o = out + r * d;
    std::fill(o, o + d, 0.f);
    float peak = -INFINITY;
    for (int64_t s = 0; s < S; s++) {
      if (at[s] < 0) continue;
      const float* k = keys + int64_t(at[s]) * d;
      float dot = 0;
#pragma omp simd reduction(+ : dot)
      for (int64_t j = 0; j < d; j++) dot += qr[j] * k[j];
      w[s] = a.scale * dot;
      peak = std::max(peak, w[s]);
    }
    float total = 0;
    for (int64_t s = 0; s < S; s++) total += (w[s] = at[s] < 0 ? 0.f : std::exp(w[s] - peak));
    if (total == 0) continue;
    const float inverse = 1.f / total;
    for (int64_t s = 0; s < S; s++) {
      if (at[s] < 0) continue;
      const float p = (w[s] *= inverse);
      const float* v = values + int64_t(at[s]) * d;
#pragma omp simd
      for (int64_t j = 0; j < d; j++) o[j] += p * v[j];
    }
  }
}

// indexedAttention(q, keys, values, index: Int32Array, out, weights, rows, slots, width, table, scale)
napi_value IndexedAttention(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value args[11];
  CHECK(napi_get_cb_info(env, info, &argc, args, nullptr, nullptr));
  View v[5];
  const int32_t* index = nullptr;
  size_t indexLength = 0;
  IndexedShape a;
  if (argc != 11 || !views(env, args, 3, v) || !int32View(env, args[3], &index, &indexLength) || !views(env, args + 4, 2, v + 3)) {
    napi_throw_type_error(env, nullptr, "grasp_blas.indexedAttention: expected (q, keys, values: Float32Array, index: Int32Array, out, weights: Float32Array, rows, slots, width, table, scale)");
    return nullptr;
  }
  if (!indexedShape(env, args + 6, index, indexLength, &a)) return nullptr;
  if (int64_t(v[0].length) < a.rows * a.width || int64_t(v[1].length) < a.table * a.width || int64_t(v[2].length) < a.table * a.width ||
      int64_t(v[3].length) < a.rows * a.width || int64_t(v[4].length) < a.rows * a.slots) {
    napi_throw_range_error(env, nullptr, "grasp_blas.indexedAttention: arrays too short");
    return nullptr;
  }
  parallelRanges(a.rows, 64, [&](int64_t r0, int64_t r1) { indexedAttentionRows(v[0].data, v[1].data, v[2].data, index, v[3].data, v[4].data, a, r0, r1); });
  return nullptr;
}

// Per row: dS[r, s] = scale · w ⊙ (dW − Σ w dW) with dW[s] = dOut[r]·v_s, and dq[r] = Σ_s dS[r, s] k_s.
GRASP_VECTOR_CLONES void indexedScoreGradRows(const float* dOut, const float* q, const float* keys, const float* values, const int32_t* index,
                                              const float* weights, float* dq, float* dScores, const IndexedShape& a, int64_t r0, int64_t r1) {
  const int64_t S = a.slots, d = a.width;
  for (int64_t r = r0; r < r1; r++) {
    const float* g = dOut + r * d;
    const int32_t* at = index + r * S;
    const float* w = weights + r * S;
    float* ds = dScores + r * S;
    float* dqr = dq + r * d;
    std::fill(dqr, dqr + d, 0.f);
    float weighted = 0;
    for (int64_t s = 0; s < S; s++) {
      ds[s] = 0;
      if (at[s] < 0) continue;
      const float* v = values + int64_t(at[s]) * d;
      float dot = 0;
#pragma omp simd reduction(+ : dot)
      for (int64_t j = 0; j < d; j++) dot += g[j] * v[j];
      ds[s] = dot;
      weighted += w[s] * dot;
    }
    for (int64_t s = 0; s < S; s++) {
      if (at[s] < 0) continue;
      ds[s] = a.scale * w[s] * (ds[s] - weighted);
      const float* k = keys + int64_t(at[s]) * d;
      const float f = ds[s];
#pragma omp simd
      for (int64_t j = 0; j < d; j++) dqr[j] += f * k[j];
    }
  }
}

// indexedAttentionGrad(dOut, q, keys, values, index: Int32Array, weights, dq, dKeys, dValues, rows, slots, width, table, scale)
napi_value IndexedAttentionGrad(napi_env env, napi_callback_info info) {
  size_t argc = 14;
  napi_value args[14];
  CHECK(napi_get_cb_info(env, info, &argc, args, nullptr, nullptr));
  View v[8];
  const int32_t* index = nullptr;
  size_t indexLength = 0;
  IndexedShape a;
  if (argc != 14 || !views(env, args, 4, v) || !int32View(env, args[4], &index, &indexLength) || !views(env, args + 5, 4, v + 4)) {
    napi_throw_type_error(env, nullptr,
                          "grasp_blas.indexedAttentionGrad: expected (dOut, q, keys, values: Float32Array, index: Int32Array, weights, dq, dKeys, dValues: Float32Array, rows, slots, width, table, scale)");
    return nullptr;
  }
  if (!indexedShape(env, args + 9, index, indexLength, &a)) return nullptr;
  const int64_t rowsBy = a.rows * a.width, tableBy = a.table * a.width;
  if (int64_t(v[0].length) < rowsBy || int64_t(v[1].length) < rowsBy || int64_t(v[2].length) < tableBy || int64_t(v[3].length) < tableBy ||
      int64_t(v[4].length) < a.rows * a.slots || int64_t(v[5].length) < rowsBy || int64_t(v[6].length) < tableBy || int64_t(v[7].length) < tableBy) {
    napi_throw_range_error(env, nullptr, "grasp_blas.indexedAttentionGrad: arrays too short");
    return nullptr;
  }
  const float *dOut = v[0].data, *q = v[1].data, *weights = v[4].data;
  float *dKeys = v[6].data, *dValues = v[7].data;
  std::vector<float> dScores(size_t(a.rows * a.slots));
  parallelRanges(a.rows, 64, [&](int64_t r0, int64_t r1) { indexedScoreGradRows(dOut, q, v[2].data, v[3].data, index, weights, v[5].data, dScores.data(), a, r0, r1); });
  // rows share table rows: the scatter into dKeys and dValues stays on one thread
  std::fill(dKeys, dKeys + tableBy, 0.f);
  std::fill(dValues, dValues + tableBy, 0.f);
  const int64_t d = a.width;
  for (int64_t r = 0; r < a.rows; r++)
    for (int64_t s = 0; s < a.slots; s++) {
      const int32_t at = index[r * a.slots + s];
      if (at < 0) continue;
      const float w = weights[r * a.slots + s], ds = dScores[size_t(r * a.slots + s)];
      float* dk = dKeys + int64_t(at) * d;
      float* dv = dValues + int64_t(at) * d;
      const float *qr = q + r * d, *g = dOut + r * d;
#pragma omp simd
      for (int64_t j = 0; j < d; j++) {
        dv[j] += w * g[j];
        dk[j] += ds * qr[j];
      }
    }
  return nullptr;
}

// ---------------------------------------------------------------- pooled rows
// out[s] = scale[s] · Σ_{i: segments[i] = s} table[rows[i]] and its gradient (src/core/engine/kernels/pooledRows.ts).
struct PooledArgs {
  const int32_t *rows = nullptr, *segments = nullptr;
  size_t count = 0;
  View source, scale, target;
  int64_t tableRows = 0, width = 0;
};

// (source, rows: Int32Array, segments: Int32Array, scale, target, tableRows, width); source is the table
// (forward) or dOut (backward), and target the other. Every id is checked before any row is touched.
bool pooledArgs(napi_env env, napi_callback_info info, bool forward, PooledArgs* a) {
  size_t argc = 7;
  napi_value args[7];
  size_t segmentCount = 0;
  if (napi_get_cb_info(env, info, &argc, args, nullptr, nullptr) != napi_ok || argc != 7 || !float32View(env, args[0], &a->source.data, &a->source.length) ||
      !int32View(env, args[1], &a->rows, &a->count) || !int32View(env, args[2], &a->segments, &segmentCount) ||
      !float32View(env, args[3], &a->scale.data, &a->scale.length) || !float32View(env, args[4], &a->target.data, &a->target.length) ||
      !int64Arg(env, args[5], &a->tableRows) || !int64Arg(env, args[6], &a->width) || segmentCount != a->count || a->tableRows < 0 || a->width <= 0) {
    napi_throw_type_error(env, nullptr, "grasp_blas.pooledRows: expected (source: Float32Array, rows, segments: Int32Array, scale, target: Float32Array, tableRows, width)");
    return false;
  }
  const int64_t groups = int64_t(a->scale.length);
  const int64_t tableSize = a->tableRows * a->width, pooledSize = groups * a->width;
  if (int64_t(forward ? a->source.length : a->target.length) < tableSize || int64_t(forward ? a->target.length : a->source.length) < pooledSize) {
    napi_throw_range_error(env, nullptr, "grasp_blas.pooledRows: arrays too short");
    return false;
  }
  for (size_t i = 0; i < a->count; i++)
    if (a->rows[i] < 0 || a->rows[i] >= a->tableRows || a->segments[i] < 0 || a->segments[i] >= groups) {
      napi_throw_range_error(env, nullptr, "grasp_blas.pooledRows: a row or segment id is out of range");
      return false;
    }
  return true;
}

GRASP_VECTOR_CLONES void pooledRowsLoop(const PooledArgs& a, bool forward) {
  const int64_t d = a.width;
  std::fill(a.target.data, a.target.data + (forward ? int64_t(a.scale.length) : a.tableRows) * d, 0.f);
  for (size_t i = 0; i < a.count; i++) {
    const int64_t s = a.segments[i], row = a.rows[i];
    const float f = a.scale.data[s];
    const float* from = a.source.data + (forward ? row : s) * d;
    float* to = a.target.data + (forward ? s : row) * d;
#pragma omp simd
    for (int64_t j = 0; j < d; j++) to[j] += f * from[j];
  }
}

// pooledRows(table, rows, segments, scale, out, tableRows, width)
napi_value PooledRows(napi_env env, napi_callback_info info) {
  PooledArgs a;
  if (pooledArgs(env, info, true, &a)) pooledRowsLoop(a, true);
  return nullptr;
}

// pooledRowsGrad(dOut, rows, segments, scale, dTable, tableRows, width)
napi_value PooledRowsGrad(napi_env env, napi_callback_info info) {
  PooledArgs a;
  if (pooledArgs(env, info, false, &a)) pooledRowsLoop(a, false);
  return nullptr;
}

// ---------------------------------------------------------------- unit rows
// y = x / sqrt(Σ x² + 1e-12) per row, and its gradient (src/core/engine/kernels/unitRows.ts).
GRASP_VECTOR_CLONES void unitRowsSpan(const float* dy, const float* x, float* out, int64_t r0, int64_t r1, int64_t d) {
  for (int64_t r = r0; r < r1; r++) {
    const float* xr = x + r * d;
    float* o = out + r * d;
    float sum = 0;
#pragma omp simd reduction(+ : sum)
    for (int64_t j = 0; j < d; j++) sum += xr[j] * xr[j];
    const float inverse = 1.f / std::sqrt(sum + 1e-12f);
    if (!dy) {
#pragma omp simd
      for (int64_t j = 0; j < d; j++) o[j] = xr[j] * inverse;
      continue;
    }
    const float* g = dy + r * d;
    float dot = 0;
#pragma omp simd reduction(+ : dot)
    for (int64_t j = 0; j < d; j++) dot += g[j] * xr[j];
    dot *= inverse;
#pragma omp simd
    for (int64_t j = 0; j < d; j++) o[j] = (g[j] - xr[j] * inverse * dot) * inverse;
  }
}

// unitRows(x, y, width) and unitRowsGrad(dy, x, dx, width)
napi_value UnitRowsBinding(napi_env env, napi_callback_info info, bool backward) {
  size_t argc = 4;
  napi_value args[4];
  CHECK(napi_get_cb_info(env, info, &argc, args, nullptr, nullptr));
  const size_t arrays = backward ? 3 : 2;
  View v[3];
  int64_t width = 0;
  if (argc != arrays + 1 || !views(env, args, arrays, v) || !int64Arg(env, args[arrays], &width) || width <= 0 || v[0].length % size_t(width) != 0) {
    napi_throw_type_error(env, nullptr, backward ? "grasp_blas.unitRowsGrad: expected (dy, x, dx: Float32Array, width)" : "grasp_blas.unitRows: expected (x, y: Float32Array, width)");
    return nullptr;
  }
  for (size_t i = 1; i < arrays; i++)
    if (v[i].length < v[0].length) {
      napi_throw_range_error(env, nullptr, "grasp_blas.unitRows: arrays of different lengths");
      return nullptr;
    }
  const int64_t rows = int64_t(v[0].length) / width;
  const float* dy = backward ? v[0].data : nullptr;
  const float* x = backward ? v[1].data : v[0].data;
  float* out = backward ? v[2].data : v[1].data;
  parallelRanges(rows, 256, [&](int64_t r0, int64_t r1) { unitRowsSpan(dy, x, out, r0, r1, width); });
  return nullptr;
}

napi_value UnitRows(napi_env env, napi_callback_info info) { return UnitRowsBinding(env, info, false); }
napi_value UnitRowsGrad(napi_env env, napi_callback_info info) { return UnitRowsBinding(env, info, true); }

// scatterAddRows(x, ids: Int32Array, out, numSegments, width): out = 0, then out[ids[i], :] += x[i, :]
// (gather's gradient, UnsortedSegmentSum); ids outside [0, numSegments) are dropped, as TensorFlow does.
napi_value ScatterAddRows(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value args[5];
  CHECK(napi_get_cb_info(env, info, &argc, args, nullptr, nullptr));
  View x, out;
  bool isTyped = false;
  napi_typedarray_type type;
  size_t count = 0, offset = 0;
  void* raw = nullptr;
  napi_value buffer;
  int64_t segments, width;
  if (argc != 5 || !float32View(env, args[0], &x.data, &x.length) || !float32View(env, args[2], &out.data, &out.length) ||
      napi_is_typedarray(env, args[1], &isTyped) != napi_ok || !isTyped || napi_get_typedarray_info(env, args[1], &type, &count, &raw, &buffer, &offset) != napi_ok ||
      type != napi_int32_array || !int64Arg(env, args[3], &segments) || !int64Arg(env, args[4], &width) || segments < 0 || width <= 0 ||
      int64_t(x.length) < int64_t(count) * width || int64_t(out.length) < segments * width) {
    napi_throw_range_error(env, nullptr, "grasp_blas.scatterAddRows: expected (x, ids: Int32Array, out, numSegments, width) that fit");
    return nullptr;
  }
  const int32_t* ids = static_cast<const int32_t*>(raw);
  std::fill(out.data, out.data + segments * width, 0.f);
  for (size_t i = 0; i < count; i++) {
    const int32_t row = ids[i];
    if (row < 0 || row >= segments) continue;
    float* target = out.data + int64_t(row) * width;
    const float* source = x.data + int64_t(i) * width;
#pragma omp simd
    for (int64_t j = 0; j < width; j++) target[j] += source[j];
  }
  return nullptr;
}

// softmaxLoss(states, table, targets: Int32Array, candidateIds: Int32Array, logQ, dStates, dTable, rows, d, numItems) → mean loss.
// Empty candidateIds: full softmax over table rows 1..numItems (the target among them). Otherwise
// sampled softmax: each target against the shared candidate rows (one equal to the target masked),
// minus logQ[k] when logQ is not empty. Writes d(mean loss)/d(states) and the dense d/d(table).
napi_value SoftmaxLossBinding(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value args[10];
  CHECK(napi_get_cb_info(env, info, &argc, args, nullptr, nullptr));
  View states, table, logQ, dStates, dTable;
  const int32_t *targets = nullptr, *ids = nullptr;
  size_t targetCount = 0, idCount = 0;
  int64_t rows = 0, d = 0, numItems = 0;
  if (argc != 10 || !float32View(env, args[0], &states.data, &states.length) || !float32View(env, args[1], &table.data, &table.length) ||
      !int32View(env, args[2], &targets, &targetCount) || !int32View(env, args[3], &ids, &idCount) || !float32View(env, args[4], &logQ.data, &logQ.length) ||
      !float32View(env, args[5], &dStates.data, &dStates.length) || !float32View(env, args[6], &dTable.data, &dTable.length) ||
      !int64Arg(env, args[7], &rows) || !int64Arg(env, args[8], &d) || !int64Arg(env, args[9], &numItems)) {
    napi_throw_type_error(env, nullptr, "grasp_blas.softmaxLoss: expected (states, table, targets: Int32Array, candidateIds: Int32Array, logQ, dStates, dTable, rows, d, numItems)");
    return nullptr;
  }
  const bool full = idCount == 0;
  const int64_t tableRows = d > 0 ? int64_t(table.length) / d : 0;
  const int64_t K = full ? numItems : int64_t(idCount);
  if (rows <= 0 || d <= 0 || int64_t(targetCount) != rows || int64_t(states.length) < rows * d || int64_t(dStates.length) < rows * d ||
      dTable.length < table.length || (full && (numItems <= 0 || numItems >= tableRows)) || (!full && logQ.length != 0 && int64_t(logQ.length) != K)) {
    napi_throw_range_error(env, nullptr, "grasp_blas.softmaxLoss: shapes do not fit the arrays");
    return nullptr;
  }
  for (int64_t r = 0; r < rows; r++)
    if (targets[r] < (full ? 1 : 0) || targets[r] >= (full ? numItems + 1 : tableRows)) {
      napi_throw_range_error(env, nullptr, "grasp_blas.softmaxLoss: a target is outside the table");
      return nullptr;
    }
  for (int64_t k = 0; k < int64_t(idCount); k++)
    if (ids[k] < 0 || ids[k] >= tableRows) {
      napi_throw_range_error(env, nullptr, "grasp_blas.softmaxLoss: a candidate is outside the table");
      return nullptr;
    }
  std::vector<float> gathered;
  if (!full) {
    gathered.resize(size_t(K * d));
    for (int64_t k = 0; k < K; k++) std::copy(table.data + int64_t(ids[k]) * d, table.data + int64_t(ids[k] + 1) * d, gathered.begin() + k * d);
  }
  grasp::SoftmaxLoss a{states.data, table.data, targets, full ? table.data + d : gathered.data(), full ? nullptr : ids, logQ.length ? logQ.data : nullptr,
                       rows, d, K, float(1.0 / double(rows)), full};
  std::fill(dTable.data, dTable.data + table.length, 0.f);
  // Blocks of rows handed out in turn; each worker sums d(candidates) in its own buffer (worker 0
  // straight into the table's rows for the full softmax), so nothing is shared until the end.
  const int64_t block = std::max<int64_t>(16, std::min<int64_t>(256, (int64_t(1) << 21) / std::max<int64_t>(1, K)));
  const int workers = int(std::min<int64_t>(g_pool.size(), (rows + block - 1) / block));
  std::vector<std::vector<float>> partial(static_cast<size_t>(workers));
  std::vector<double> losses(size_t(workers), 0.0);
  std::vector<float> dPositive(full ? 0 : size_t(rows));
  std::atomic<int64_t> next{0};
  auto work = [&](int w) {
    if (w >= workers) return;
    float* dC;
    if (w == 0 && full) dC = dTable.data + d;
    else {
      partial[size_t(w)].assign(size_t(K * d), 0.f);
      dC = partial[size_t(w)].data();
    }
    float* scratch = grasp::threadScratch(2, block * K);  // reused across steps: the logits sgemm overwrites it
    for (int64_t r0; (r0 = next.fetch_add(block)) < rows;)
      losses[size_t(w)] += grasp::softmaxLossRows(a, r0, std::min(rows, r0 + block), dStates.data, dC, dPositive.data(), scratch);
  };
  if (workers <= 1) work(0);
  else g_pool.run(work);
  double loss = 0;
  for (double part : losses) loss += part;
  for (int w = 0; w < workers; w++) {
    if (partial[size_t(w)].empty()) continue;
    const float* p = partial[size_t(w)].data();
    for (int64_t k = 0; k < K; k++) {
      float* row = dTable.data + (full ? k + 1 : int64_t(ids[k])) * d;
      for (int64_t j = 0; j < d; j++) row[j] += p[k * d + j];
    }
  }
  if (!full)  // the positives' own logits: d(states) += dp · E[t], dE[t] += dp · h
    for (int64_t r = 0; r < rows; r++) {
      const float dp = dPositive[size_t(r)];
      const float* e = table.data + int64_t(targets[r]) * d;
      const float* h = states.data + r * d;
      float* dh = dStates.data + r * d;
      float* de = dTable.data + int64_t(targets[r]) * d;
      for (int64_t j = 0; j < d; j++) {
        dh[j] += dp * e[j];
        de[j] += dp * h[j];
      }
    }
  napi_value result;
  CHECK(napi_create_double(env, loss * double(a.scale), &result));
  return result;
}

// gru(xp, wh, bh, keep, states, saved, B, L, d): one GRU layer over [B, L] sequences (native/src/gru.cc).
// gruGrad(dStates, wh, keep, states, saved, dxp, dwh, dbh, B, L, d): its backward pass (dwh, dbh overwritten).
bool gruShape(napi_env env, napi_value* args, int64_t* B, int64_t* L, int64_t* d) {
  return int64Arg(env, args[0], B) && int64Arg(env, args[1], L) && int64Arg(env, args[2], d) && *B > 0 && *L > 0 && *d > 0;
}

napi_value GruBinding(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value args[9];
  CHECK(napi_get_cb_info(env, info, &argc, args, nullptr, nullptr));
  View v[6];
  int64_t B, L, d;
  if (argc != 9 || !views(env, args, 6, v) || !gruShape(env, args + 6, &B, &L, &d)) {
    napi_throw_type_error(env, nullptr, "grasp_blas.gru: expected (xp, wh, bh, keep, states, saved: Float32Array, B, L, d)");
    return nullptr;
  }
  const int64_t n = B * L;
  if (int64_t(v[0].length) < n * 3 * d || int64_t(v[1].length) < d * 3 * d || int64_t(v[2].length) < 3 * d || int64_t(v[3].length) < n ||
      int64_t(v[4].length) < n * d || int64_t(v[5].length) < n * 4 * d) {
    napi_throw_range_error(env, nullptr, "grasp_blas.gru: arrays too short");
    return nullptr;
  }
  grasp::Gru g{v[0].data, v[1].data, v[2].data, v[3].data, L, d};
  parallelRanges(B, 8, [&](int64_t b0, int64_t b1) { grasp::gruForwardRows(g, b0, b1, v[4].data, v[5].data); });
  return nullptr;
}

napi_value GruGradBinding(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value args[11];
  CHECK(napi_get_cb_info(env, info, &argc, args, nullptr, nullptr));
  View v[8];
  int64_t B, L, d;
  if (argc != 11 || !views(env, args, 8, v) || !gruShape(env, args + 8, &B, &L, &d)) {
    napi_throw_type_error(env, nullptr, "grasp_blas.gruGrad: expected (dStates, wh, keep, states, saved, dxp, dwh, dbh: Float32Array, B, L, d)");
    return nullptr;
  }
  const int64_t n = B * L;
  if (int64_t(v[0].length) < n * d || int64_t(v[1].length) < d * 3 * d || int64_t(v[2].length) < n || int64_t(v[3].length) < n * d ||
      int64_t(v[4].length) < n * 4 * d || int64_t(v[5].length) < n * 3 * d || int64_t(v[6].length) < d * 3 * d || int64_t(v[7].length) < 3 * d) {
    napi_throw_range_error(env, nullptr, "grasp_blas.gruGrad: arrays too short");
    return nullptr;
  }
  grasp::Gru g{nullptr, v[1].data, nullptr, v[2].data, L, d};
  // Each worker sums d(W_h) and d(b_h) over its own sequences; added up at the end.
  const int workers = int(std::min<int64_t>(g_pool.size(), std::max<int64_t>(1, B / 8)));
  const int64_t per = (B + workers - 1) / workers;
  std::vector<std::vector<float>> partial(static_cast<size_t>(workers), std::vector<float>(size_t(d * 3 * d + 3 * d), 0.f));
  auto work = [&](int w) {
    if (w >= workers) return;
    const int64_t b0 = w * per, b1 = std::min(B, b0 + per);
    float* dwh = partial[size_t(w)].data();
    if (b0 < b1) grasp::gruBackwardRows(g, b0, b1, v[0].data, v[3].data, v[4].data, v[5].data, dwh, dwh + d * 3 * d);
  };
  if (workers <= 1) work(0);
  else g_pool.run(work);
  std::fill(v[6].data, v[6].data + d * 3 * d, 0.f);
  std::fill(v[7].data, v[7].data + 3 * d, 0.f);
  for (const auto& p : partial) {
    for (int64_t j = 0; j < d * 3 * d; j++) v[6].data[j] += p[size_t(j)];
    for (int64_t j = 0; j < 3 * d; j++) v[7].data[j] += p[size_t(d * 3 * d + j)];
  }
  return nullptr;
}

// ---------------------------------------------------------------- GELU (exact, erf form: BERT4Rec)
// y = x · Φ(x) = ½ x (1 + erf(x / √2));  dy/dx = Φ(x) + x · φ(x)
GRASP_VECTOR_CLONES void geluSpan(const float* x, float* y, int64_t from, int64_t to) {
#pragma omp simd
  for (int64_t i = from; i < to; i++) y[i] = 0.5f * x[i] * (1.f + grasp::fastErf(x[i] * 0.70710678118654752f));
}

GRASP_VECTOR_CLONES void geluGradSpan(const float* dy, const float* x, float* dx, int64_t from, int64_t to) {
#pragma omp simd
  for (int64_t i = from; i < to; i++) {
    const float cdf = 0.5f * (1.f + grasp::fastErf(x[i] * 0.70710678118654752f));
    const float pdf = 0.39894228040143268f * grasp::fastExp(-0.5f * x[i] * x[i]);
    dx[i] = dy[i] * (cdf + x[i] * pdf);
  }
}

// gelu(x, y) and geluGrad(dy, x, dx), element-wise over equal-length arrays
napi_value GeluBinding(napi_env env, napi_callback_info info, bool backward) {
  size_t argc = 3;
  napi_value args[3];
  CHECK(napi_get_cb_info(env, info, &argc, args, nullptr, nullptr));
  View v[3];
  const size_t count = backward ? 3 : 2;
  if (argc != count || !views(env, args, count, v) || v[1].length != v[0].length || (backward && v[2].length != v[0].length)) {
    napi_throw_type_error(env, nullptr, backward ? "grasp_blas.geluGrad: expected (dy, x, dx) Float32Arrays of one length" : "grasp_blas.gelu: expected (x, y) Float32Arrays of one length");
    return nullptr;
  }
  const int64_t n = int64_t(v[0].length);
  if (backward) parallelRanges(n, 1 << 14, [&](int64_t from, int64_t to) { geluGradSpan(v[0].data, v[1].data, v[2].data, from, to); });
  else parallelRanges(n, 1 << 14, [&](int64_t from, int64_t to) { geluSpan(v[0].data, v[1].data, from, to); });
  return nullptr;
}
napi_value Gelu(napi_env env, napi_callback_info info) { return GeluBinding(env, info, false); }
napi_value GeluGrad(napi_env env, napi_callback_info info) { return GeluBinding(env, info, true); }

// countGreater(scores, rows, cols, targets: Int32Array, out: Int32Array):
// out[r] = how many scores in row r are strictly greater than scores[r, targets[r]] (full-ranking eval).
napi_value CountGreater(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value args[5];
  CHECK(napi_get_cb_info(env, info, &argc, args, nullptr, nullptr));
  View scores;
  int64_t rows, cols;
  int32_t* ints[2];
  size_t lengths[2];
  bool ok = argc == 5 && float32View(env, args[0], &scores.data, &scores.length) && int64Arg(env, args[1], &rows) && int64Arg(env, args[2], &cols);
  for (int i = 0; ok && i < 2; i++) {
    bool isTyped = false;
    napi_typedarray_type type;
    size_t offset = 0;
    void* raw = nullptr;
    napi_value buffer;
    ok = napi_is_typedarray(env, args[3 + i], &isTyped) == napi_ok && isTyped &&
         napi_get_typedarray_info(env, args[3 + i], &type, &lengths[i], &raw, &buffer, &offset) == napi_ok && type == napi_int32_array;
    ints[i] = static_cast<int32_t*>(raw);
  }
  if (!ok || rows < 0 || cols <= 0 || int64_t(scores.length) < rows * cols || int64_t(lengths[0]) < rows || int64_t(lengths[1]) < rows) {
    napi_throw_range_error(env, nullptr, "grasp_blas.countGreater: expected (scores, rows, cols, targets: Int32Array, out: Int32Array) that fit");
    return nullptr;
  }
  for (int64_t r = 0; r < rows; r++)
    if (ints[0][r] < 0 || ints[0][r] >= cols) {
      napi_throw_range_error(env, nullptr, "grasp_blas.countGreater: a target is outside the row");
      return nullptr;
    }
  const float* s = scores.data;
  parallelRanges(rows, 8, [&](int64_t r0, int64_t r1) { countGreaterRows(s, cols, ints[0], ints[1], r0, r1); });
  return nullptr;
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  CHECK(napi_get_cb_info(env, info, &argc, &arg, nullptr, nullptr));
  int64_t n = 1;
  if (argc != 1 || !int64Arg(env, arg, &n) || n < 1 || n > 256) {
    napi_throw_range_error(env, nullptr, "grasp_blas.setThreads: expected an integer in [1, 256]");
    return nullptr;
  }
  g_threads = int(n);
  g_pool.resize(g_threads);
  return nullptr;
}

napi_value Info(napi_env env, napi_callback_info) {
  napi_value out, config, core, threads;
  CHECK(napi_create_object(env, &out));
  CHECK(napi_create_string_utf8(env, grasp::gemmDescription(), NAPI_AUTO_LENGTH, &config));
  CHECK(napi_create_string_utf8(env, grasp::gemmCore(), NAPI_AUTO_LENGTH, &core));
  CHECK(napi_create_int32(env, g_threads, &threads));
  CHECK(napi_set_named_property(env, out, "blas", config));
  CHECK(napi_set_named_property(env, out, "core", core));
  CHECK(napi_set_named_property(env, out, "threads", threads));
  return out;
}

napi_value Init(napi_env env, napi_value exports) {
  const char* reason = nullptr;
  if (!grasp::selectGemm(std::getenv("GRASP_GEMM"), &reason)) {
    napi_throw_error(env, nullptr, reason);
    return nullptr;
  }
  g_threads = std::max(1, int(std::thread::hardware_concurrency()));
  g_pool.resize(g_threads);
  napi_property_descriptor props[] = {
      {"gemm", nullptr, GemmBinding, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adam", nullptr, AdamBinding, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adamRows", nullptr, AdamRowsBinding, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"columnSums", nullptr, ColumnSums, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"dropout", nullptr, Dropout, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"layerNorm", nullptr, LayerNorm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"layerNormGrad", nullptr, LayerNormGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"biasActivation", nullptr, BiasActivation, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reluGrad", nullptr, ReluGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"attention", nullptr, Attention, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"attentionGrad", nullptr, AttentionGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"indexedAttention", nullptr, IndexedAttention, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"indexedAttentionGrad", nullptr, IndexedAttentionGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"pooledRows", nullptr, PooledRows, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"pooledRowsGrad", nullptr, PooledRowsGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unitRows", nullptr, UnitRows, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unitRowsGrad", nullptr, UnitRowsGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"scatterAddRows", nullptr, ScatterAddRows, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gelu", nullptr, Gelu, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"geluGrad", nullptr, GeluGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gru", nullptr, GruBinding, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gruGrad", nullptr, GruGradBinding, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"softmaxLoss", nullptr, SoftmaxLossBinding, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"countGreater", nullptr, CountGreater, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
