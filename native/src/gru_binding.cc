// gru / gruGrad: one GRU layer over [B, L] sequences and its backward pass; the recurrences are gru.cc's.
#include "addon.h"
#include "gru.h"
#include <vector>

namespace grasp::binding {

namespace {

bool gruShape(napi_env env, napi_value* args, int64_t* B, int64_t* L, int64_t* d) {
  return int64Arg(env, args[0], B) && int64Arg(env, args[1], L) && int64Arg(env, args[2], d) && *B > 0 && *L > 0 && *d > 0;
}

}  // namespace

// gru(xp, wh, bh, keep, states, saved, B, L, d): one GRU layer over [B, L] sequences (native/src/gru.cc).
// gruGrad(dStates, wh, keep, states, saved, dxp, dwh, dbh, B, L, d): its backward pass (dwh, dbh overwritten).
napi_value GruBinding(napi_env env, napi_callback_info info) {
  GRASP_ARGS(9);
  View v[6];
  int64_t B, L, d;
  if (argc != 9 || !views(env, args, 6, v) || !gruShape(env, args + 6, &B, &L, &d)) return typeError(env, "grasp_blas.gru: expected (xp, wh, bh, keep, states, saved: Float32Array, B, L, d)");
  const int64_t n = B * L;
  if (int64_t(v[0].length) < n * 3 * d || int64_t(v[1].length) < d * 3 * d || int64_t(v[2].length) < 3 * d || int64_t(v[3].length) < n ||
      int64_t(v[4].length) < n * d || int64_t(v[5].length) < n * 4 * d) return rangeError(env, "grasp_blas.gru: arrays too short");
  grasp::Gru g{v[0].data, v[1].data, v[2].data, v[3].data, L, d};
  parallelRanges(B, 8, [&](int64_t b0, int64_t b1) { grasp::gruForwardRows(g, b0, b1, v[4].data, v[5].data); });
  return nullptr;
}

napi_value GruGradBinding(napi_env env, napi_callback_info info) {
  GRASP_ARGS(11);
  View v[8];
  int64_t B, L, d;
  if (argc != 11 || !views(env, args, 8, v) || !gruShape(env, args + 8, &B, &L, &d)) return typeError(env, "grasp_blas.gruGrad: expected (dStates, wh, keep, states, saved, dxp, dwh, dbh: Float32Array, B, L, d)");
  const int64_t n = B * L;
  if (int64_t(v[0].length) < n * d || int64_t(v[1].length) < d * 3 * d || int64_t(v[2].length) < n || int64_t(v[3].length) < n * d ||
      int64_t(v[4].length) < n * 4 * d || int64_t(v[5].length) < n * 3 * d || int64_t(v[6].length) < d * 3 * d || int64_t(v[7].length) < 3 * d) return rangeError(env, "grasp_blas.gruGrad: arrays too short");
  grasp::Gru g{nullptr, v[1].data, nullptr, v[2].data, L, d};
  // Each worker sums d(W_h) and d(b_h), side by side, over its own sequences; added up at the end.
  const std::vector<float> total = sumOverWorkers(B, 8, d * 3 * d + 3 * d, [&](float* dwh, int64_t b0, int64_t b1) {
    grasp::gruBackwardRows(g, b0, b1, v[0].data, v[3].data, v[4].data, v[5].data, dwh, dwh + d * 3 * d);
  });
  std::copy(total.begin(), total.begin() + d * 3 * d, v[6].data);
  std::copy(total.begin() + d * 3 * d, total.end(), v[7].data);
  return nullptr;
}

}  // namespace grasp::binding
