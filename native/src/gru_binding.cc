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
  // Each worker sums d(W_h) and d(b_h) over its own sequences; added up at the end.
  const int workers = int(std::min<int64_t>(poolSize(), std::max<int64_t>(1, B / 8)));
  const int64_t per = (B + workers - 1) / workers;
  std::vector<std::vector<float>> partial(static_cast<size_t>(workers), std::vector<float>(size_t(d * 3 * d + 3 * d), 0.f));
  auto work = [&](int w) {
    if (w >= workers) return;
    const int64_t b0 = w * per, b1 = std::min(B, b0 + per);
    float* dwh = partial[size_t(w)].data();
    if (b0 < b1) grasp::gruBackwardRows(g, b0, b1, v[0].data, v[3].data, v[4].data, v[5].data, dwh, dwh + d * 3 * d);
  };
  if (workers <= 1) work(0);
  else poolRun(work);
  std::fill(v[6].data, v[6].data + d * 3 * d, 0.f);
  std::fill(v[7].data, v[7].data + 3 * d, 0.f);
  for (const auto& p : partial) {
    for (int64_t j = 0; j < d * 3 * d; j++) v[6].data[j] += p[size_t(j)];
    for (int64_t j = 0; j < 3 * d; j++) v[7].data[j] += p[size_t(d * 3 * d + j)];
  }
  return nullptr;
}

}  // namespace grasp::binding
