// Element-wise and row kernels (dropout, layer norm, bias + activation, ReLU's gradient, column sums,
// exact GELU, rank counts): each replaces a chain of tfjs kernels, each a full pass over memory, with one or two.
#include "addon.h"
#include "fast_math.h"
#include <cmath>
#include <vector>

namespace grasp::binding {

namespace {

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

// The mean and 1 / sqrt(variance + eps) of a row of n values (layer norm and its gradient).
struct Moments {
  float mean, rstd;
};
inline Moments rowMoments(const float* x, int64_t n, float eps) {
  const float mean = rowSum(x, n) / float(n);
  return {mean, 1.f / std::sqrt(rowSquaredDeviation(x, n, mean) / float(n) + eps)};
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

}  // namespace

// columnSums(x, rows, cols, out): out[j] = sum_r x[r, j]
napi_value ColumnSums(napi_env env, napi_callback_info info) {
  GRASP_ARGS(4);
  View v[2];
  int64_t rows, cols;
  if (argc != 4 || !views(env, args, 1, v) || !float32View(env, args[3], &v[1].data, &v[1].length) || !int64Arg(env, args[1], &rows) ||
      !int64Arg(env, args[2], &cols) || rows < 0 || cols <= 0 || int64_t(v[0].length) < rows * cols || int64_t(v[1].length) < cols) return rangeError(env, "grasp_blas.columnSums: expected (x, rows, cols, out) that fit");
  const float* x = v[0].data;
  const std::vector<float> total = sumOverWorkers(rows, 1, cols, [&](float* acc, int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const float* row = x + r * cols;
      for (int64_t j = 0; j < cols; j++) acc[j] += row[j];
    }
  });
  std::copy(total.begin(), total.end(), v[1].data);
  return nullptr;
}

// dropout(x, out, seed, rate): out = x * keep / (1 - rate), keep = hash(seed, i) >= rate * 2^32
napi_value Dropout(napi_env env, napi_callback_info info) {
  GRASP_ARGS(4);
  View v[2];
  int64_t seed;
  double rate;
  if (argc != 4 || !views(env, args, 2, v) || !int64Arg(env, args[2], &seed) || !doubleArg(env, args[3], &rate) || rate < 0 || rate >= 1 ||
      v[1].length < v[0].length) return rangeError(env, "grasp_blas.dropout: expected (x, out, seed, rate in [0, 1))");
  const float* x = v[0].data;
  float* out = v[1].data;
  const uint32_t threshold = uint32_t(std::min(4294967295.0, std::floor(rate * 4294967296.0)));
  const float scale = float(1.0 / (1.0 - rate));
  const uint32_t s = uint32_t(seed);
  parallelRanges(int64_t(v[0].length), 1 << 15, [&](int64_t from, int64_t to) { dropoutSpan(x, out, from, to, s, threshold, scale); });
  return nullptr;
}

namespace {

// out = (x - mean) / sqrt(var + eps) * gamma + beta per row; v = x, gamma, beta, out
void layerNormRows(const View* v, int64_t rows, int64_t cols, float eps) {
  const float *x = v[0].data, *gamma = v[1].data, *beta = v[2].data;
  float* out = v[3].data;
  parallelRanges(rows, 256, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const float* xr = x + r * cols;
      float* yr = out + r * cols;
      const auto [mean, rstd] = rowMoments(xr, cols, eps);
#pragma omp simd
      for (int64_t j = 0; j < cols; j++) yr[j] = (xr[j] - mean) * rstd * gamma[j] + beta[j];
    }
  });
}

// v = dy, x, gamma, dx, dgamma, dbeta
void layerNormGradRows(const View* v, int64_t rows, int64_t cols, float eps) {
  const float *dy = v[0].data, *x = v[1].data, *gamma = v[2].data;
  float* dx = v[3].data;
  // each worker sums d(gamma) and d(beta) over its rows, side by side in its accumulator
  const std::vector<float> total = sumOverWorkers(rows, 1, 2 * cols, [&](float* pg, int64_t r0, int64_t r1) {
    float* pb = pg + cols;
    std::vector<float> xhat(cols);
    for (int64_t r = r0; r < r1; r++) {
      const float* xr = x + r * cols;
      const float* gr = dy + r * cols;
      const auto [mean, rstd] = rowMoments(xr, cols, eps);
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
  std::copy(total.begin(), total.begin() + cols, v[4].data);
  std::copy(total.begin() + cols, total.end(), v[5].data);
}

}  // namespace

// layerNorm(x, gamma, beta, out, rows, cols, eps): per row, (x - mean) / sqrt(var + eps) * gamma + beta
// layerNormGrad(dy, x, gamma, dx, dgamma, dbeta, rows, cols, eps)
napi_value LayerNormBinding(napi_env env, napi_callback_info info, bool backward) {
  GRASP_ARGS(9);
  View v[6];
  const size_t count = backward ? 6 : 4;
  // which arrays are [rows, cols] (the others are [cols])
  const bool byRow[2][6] = {{true, false, false, true}, {true, true, false, true, false, false}};
  int64_t rows, cols;
  double eps;
  bool ok = argc == count + 3 && views(env, args, count, v) && int64Arg(env, args[count], &rows) && int64Arg(env, args[count + 1], &cols) &&
            doubleArg(env, args[count + 2], &eps) && rows >= 0 && cols > 0;
  for (size_t i = 0; ok && i < count; i++) ok = int64_t(v[i].length) >= (byRow[backward][i] ? rows * cols : cols);
  if (!ok) return rangeError(env, backward ? "grasp_blas.layerNormGrad: expected (dy, x, gamma, dx, dgamma, dbeta, rows, cols, eps) that fit" : "grasp_blas.layerNorm: expected (x, gamma, beta, out, rows, cols, eps) that fit");
  if (backward) layerNormGradRows(v, rows, cols, float(eps));
  else layerNormRows(v, rows, cols, float(eps));
  return nullptr;
}
napi_value LayerNorm(napi_env env, napi_callback_info info) { return LayerNormBinding(env, info, false); }
napi_value LayerNormGrad(napi_env env, napi_callback_info info) { return LayerNormBinding(env, info, true); }

// biasActivation(y, bias, rows, cols, relu): y[r, :] += bias, then max(0, ·) when relu — in place.
napi_value BiasActivation(napi_env env, napi_callback_info info) {
  GRASP_ARGS(5);
  View v[2];
  int64_t rows, cols;
  bool relu;
  if (argc != 5 || !views(env, args, 2, v) || !int64Arg(env, args[2], &rows) || !int64Arg(env, args[3], &cols) ||
      napi_get_value_bool(env, args[4], &relu) != napi_ok || rows < 0 || cols <= 0 || int64_t(v[0].length) < rows * cols ||
      int64_t(v[1].length) < cols) return rangeError(env, "grasp_blas.biasActivation: expected (y, bias, rows, cols, relu) that fit");
  float* y = v[0].data;
  const float* bias = v[1].data;
  parallelRanges(rows, 512, [&](int64_t r0, int64_t r1) { biasActivationSpan(y, bias, r0, r1, cols, relu); });
  return nullptr;
}

// reluGrad(dy, y, out): out = dy where y > 0, else 0
napi_value ReluGrad(napi_env env, napi_callback_info info) {
  GRASP_ARGS(3);
  View v[3];
  if (argc != 3 || !views(env, args, 3, v) || v[1].length < v[0].length || v[2].length < v[0].length) return rangeError(env, "grasp_blas.reluGrad: expected (dy, y, out) of one length");
  const float *dy = v[0].data, *y = v[1].data;
  float* out = v[2].data;
  parallelRanges(int64_t(v[0].length), 1 << 15, [&](int64_t from, int64_t to) { reluGradSpan(dy, y, out, from, to); });
  return nullptr;
}

// gelu(x, y) and geluGrad(dy, x, dx), element-wise over equal-length arrays
napi_value GeluBinding(napi_env env, napi_callback_info info, bool backward) {
  GRASP_ARGS(3);
  View v[3];
  const size_t count = backward ? 3 : 2;
  if (argc != count || !views(env, args, count, v) || v[1].length != v[0].length || (backward && v[2].length != v[0].length)) return typeError(env, backward ? "grasp_blas.geluGrad: expected (dy, x, dx) Float32Arrays of one length" : "grasp_blas.gelu: expected (x, y) Float32Arrays of one length");
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
  GRASP_ARGS(5);
  View scores;
  int64_t rows, cols;
  const int32_t* ints[2] = {nullptr, nullptr};
  size_t lengths[2] = {0, 0};
  const bool ok = argc == 5 && float32View(env, args[0], &scores.data, &scores.length) && int64Arg(env, args[1], &rows) && int64Arg(env, args[2], &cols) &&
                  int32View(env, args[3], &ints[0], &lengths[0]) && int32View(env, args[4], &ints[1], &lengths[1]);
  if (!ok || rows < 0 || cols <= 0 || int64_t(scores.length) < rows * cols || int64_t(lengths[0]) < rows || int64_t(lengths[1]) < rows) return rangeError(env, "grasp_blas.countGreater: expected (scores, rows, cols, targets: Int32Array, out: Int32Array) that fit");
  for (int64_t r = 0; r < rows; r++)
    if (ints[0][r] < 0 || ints[0][r] >= cols) return rangeError(env, "grasp_blas.countGreater: a target is outside the row");
  const float* s = scores.data;
  // the output is the caller's Int32Array: writable, though int32View hands out read-only pointers
  int32_t* out = const_cast<int32_t*>(ints[1]);
  parallelRanges(rows, 8, [&](int64_t r0, int64_t r1) { countGreaterRows(s, cols, ints[0], out, r0, r1); });
  return nullptr;
}

}  // namespace grasp::binding
