// Row kernels of the GRASP module: pooled rows (scaled sums of table rows by segment), unit rows (L2
// normalisation), and gather's gradient (scatter-add of rows).
#include "addon.h"
#include <cmath>

namespace grasp::binding {

namespace {

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

}  // namespace

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

// unitRows(x, y, width) and unitRowsGrad(dy, x, dx, width)
napi_value UnitRowsBinding(napi_env env, napi_callback_info info, bool backward) {
  GRASP_ARGS(4);
  const size_t arrays = backward ? 3 : 2;
  View v[3];
  int64_t width = 0;
  if (argc != arrays + 1 || !views(env, args, arrays, v) || !int64Arg(env, args[arrays], &width) || width <= 0 || v[0].length % size_t(width) != 0) return typeError(env, backward ? "grasp_blas.unitRowsGrad: expected (dy, x, dx: Float32Array, width)" : "grasp_blas.unitRows: expected (x, y: Float32Array, width)");
  for (size_t i = 1; i < arrays; i++)
    if (v[i].length < v[0].length) return rangeError(env, "grasp_blas.unitRows: arrays of different lengths");
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
  GRASP_ARGS(5);
  View x, out;
  const int32_t* ids = nullptr;
  size_t count = 0;
  int64_t segments, width;
  if (argc != 5 || !float32View(env, args[0], &x.data, &x.length) || !float32View(env, args[2], &out.data, &out.length) || !int32View(env, args[1], &ids, &count) ||
      !int64Arg(env, args[3], &segments) || !int64Arg(env, args[4], &width) || segments < 0 || width <= 0 ||
      int64_t(x.length) < int64_t(count) * width || int64_t(out.length) < segments * width) return rangeError(env, "grasp_blas.scatterAddRows: expected (x, ids: Int32Array, out, numSegments, width) that fit");
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

}  // namespace grasp::binding
