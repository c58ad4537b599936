// Adam (PyTorch's update rule) in place on the parameters, dense or on chosen rows (lazy Adam).
#include "addon.h"
#include <cmath>

namespace grasp::binding {

namespace {

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

}  // namespace

// adam(param, grad, m, v, lr, beta1, beta2, epsilon, step)
napi_value AdamBinding(napi_env env, napi_callback_info info) {
  GRASP_ARGS(9);
  float *p, *g, *m, *v;
  size_t lp, lg, lm, lv;
  if (argc != 9 || !float32View(env, args[0], &p, &lp) || !float32View(env, args[1], &g, &lg) || !float32View(env, args[2], &m, &lm) ||
      !float32View(env, args[3], &v, &lv)) return typeError(env, "grasp_blas.adam: expected (param, grad, m, v: Float32Array, lr, beta1, beta2, epsilon, step)");
  if (lg != lp || lm != lp || lv != lp) return rangeError(env, "grasp_blas.adam: param, grad, m and v differ in length");
  AdamArgs a;
  if (!adamScalars(env, args + 4, &a)) return nullptr;
  parallelRanges(int64_t(lp), 1 << 15, [&](int64_t from, int64_t to) { adamSpan(p + from, g + from, m + from, v + from, to - from, a); });
  return nullptr;
}

// adamRows(param, grad, m, v, rows: Int32Array, width, lr, beta1, beta2, epsilon, step)
napi_value AdamRowsBinding(napi_env env, napi_callback_info info) {
  GRASP_ARGS(11);
  float *p, *g, *m, *v;
  size_t lp, lg, lm, lv;
  if (argc != 11 || !float32View(env, args[0], &p, &lp) || !float32View(env, args[1], &g, &lg) || !float32View(env, args[2], &m, &lm) ||
      !float32View(env, args[3], &v, &lv)) return typeError(env, "grasp_blas.adamRows: expected (param, grad, m, v: Float32Array, rows: Int32Array, width, lr, beta1, beta2, epsilon, step)");
  const int32_t* rows = nullptr;
  size_t nRows = 0;
  int64_t width = 0;
  if (!int32View(env, args[4], &rows, &nRows) || !int64Arg(env, args[5], &width) || width <= 0) return typeError(env, "grasp_blas.adamRows: rows must be an Int32Array and width positive");
  const int64_t tableRows = int64_t(lp) / width;
  if (lm != lp || lv != lp || int64_t(lp) % width != 0 || int64_t(lg) != int64_t(nRows) * width) return rangeError(env, "grasp_blas.adamRows: shapes do not fit the arrays");
  for (size_t i = 0; i < nRows; i++)
    if (rows[i] < 0 || rows[i] >= tableRows) return rangeError(env, "grasp_blas.adamRows: a row index is outside the table");
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

}  // namespace grasp::binding
