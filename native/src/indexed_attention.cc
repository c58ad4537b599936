// Indexed attention: row r of q attends over the rows index[r, s] of keys and values (GRASP's item and
// user levels; src/core/engine/kernels/indexedAttention.ts computes the same in JS).
#include "addon.h"
#include <cmath>
#include <vector>

namespace grasp::binding {

namespace {

// −1 in the index: no slot (a row with fewer neighbours).
struct IndexedShape {
  int64_t rows, slots, width, table;
  float scale;
};


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

}  // namespace

// indexedAttention(q, keys, values, index: Int32Array, out, weights, rows, slots, width, table, scale)
napi_value IndexedAttention(napi_env env, napi_callback_info info) {
  GRASP_ARGS(11);
  View v[5];
  const int32_t* index = nullptr;
  size_t indexLength = 0;
  IndexedShape a;
  if (argc != 11 || !views(env, args, 3, v) || !int32View(env, args[3], &index, &indexLength) || !views(env, args + 4, 2, v + 3)) return typeError(env, "grasp_blas.indexedAttention: expected (q, keys, values: Float32Array, index: Int32Array, out, weights: Float32Array, rows, slots, width, table, scale)");
  if (!indexedShape(env, args + 6, index, indexLength, &a)) return nullptr;
  if (int64_t(v[0].length) < a.rows * a.width || int64_t(v[1].length) < a.table * a.width || int64_t(v[2].length) < a.table * a.width ||
      int64_t(v[3].length) < a.rows * a.width || int64_t(v[4].length) < a.rows * a.slots) return rangeError(env, "grasp_blas.indexedAttention: arrays too short");
  parallelRanges(a.rows, 64, [&](int64_t r0, int64_t r1) { indexedAttentionRows(v[0].data, v[1].data, v[2].data, index, v[3].data, v[4].data, a, r0, r1); });
  return nullptr;
}

// indexedAttentionGrad(dOut, q, keys, values, index: Int32Array, weights, dq, dKeys, dValues, rows, slots, width, table, scale)
napi_value IndexedAttentionGrad(napi_env env, napi_callback_info info) {
  GRASP_ARGS(14);
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
      int64_t(v[4].length) < a.rows * a.slots || int64_t(v[5].length) < rowsBy || int64_t(v[6].length) < tableBy || int64_t(v[7].length) < tableBy) return rangeError(env, "grasp_blas.indexedAttentionGrad: arrays too short");
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

}  // namespace grasp::binding
