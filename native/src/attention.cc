// Fused scaled dot-product attention (forward and backward) over batch × head slices.
#include "addon.h"
#include "gemm.h"
#include <cmath>
#include <vector>

namespace grasp::binding {

namespace {

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

}  // namespace

// attention(q, k, v, bias, out, probs, bh, L, dh, heads, biasMode, scale, rate, seed)
napi_value Attention(napi_env env, napi_callback_info info) {
  GRASP_ARGS(14);
  View v[6];
  AttentionShape a;
  if (argc != 14 || !views(env, args, 6, v)) return typeError(env, "grasp_blas.attention: expected (q, k, v, bias, out, probs: Float32Array, bh, L, dh, heads, biasMode, scale, rate, seed)");
  if (!attentionShape(env, args + 6, int64_t(v[0].length), int64_t(v[3].length), &a)) return nullptr;
  const int64_t L = a.L, dh = a.dh, slice = L * dh;
  if (int64_t(v[1].length) < a.bh * slice || int64_t(v[2].length) < a.bh * slice || int64_t(v[4].length) < a.bh * slice ||
      int64_t(v[5].length) < a.bh * L * L) return rangeError(env, "grasp_blas.attention: arrays too short");
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
  GRASP_ARGS(16);
  View v[8];
  AttentionShape a;
  if (argc != 16 || !views(env, args, 8, v)) return typeError(env, "grasp_blas.attentionGrad: expected (dOut, q, k, v, probs, dq, dk, dv: Float32Array, bh, L, dh, heads, biasMode, scale, rate, seed)");
  if (!attentionShape(env, args + 8, int64_t(v[1].length), 0x7fffffff, &a)) return nullptr;
  const int64_t L = a.L, dh = a.dh, slice = L * dh;
  for (int i : {0, 1, 2, 3, 5, 6, 7})
    if (int64_t(v[i].length) < a.bh * slice) return rangeError(env, "grasp_blas.attentionGrad: arrays too short");
  if (int64_t(v[4].length) < a.bh * L * L) return rangeError(env, "grasp_blas.attentionGrad: probs too short");
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

}  // namespace grasp::binding
