// One GRU layer over whole sequences (PyTorch's gate equations), forward and backward, for a block of
// sequences at a time: the recurrence is sequential in time but independent across sequences, so the
// caller splits the batch. Per step, one sgemm for h·W_h (rows of the block are L·d apart in the
// [B, L, d] states, which sgemm reads through its leading dimension); the gates are plain loops.
//   hp = h_{t-1}·W_h + b_h = [hr | hz | hn];  r = σ(xr + hr);  z = σ(xz + hz);  n = tanh(xn + r ⊙ hn)
//   h' = (1 − z) ⊙ n + z ⊙ h_{t-1};  h_t = keep_t · h' + (1 − keep_t) · h_{t-1}   (padding keeps the state)
#include "gru.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "gemm.h"

namespace grasp {
namespace {

inline float sigmoid(float x) { return 1.f / (1.f + std::exp(-x)); }

}  // namespace

void gruForwardRows(const Gru& g, int64_t b0, int64_t b1, float* states, float* saved) {
  const int64_t L = g.L, d = g.d, d3 = 3 * d, rows = b1 - b0;
  std::vector<float> hp(size_t(rows * d3));
  for (int64_t t = 0; t < L; t++) {
    for (int64_t r = 0; r < rows; r++) std::memcpy(hp.data() + r * d3, g.bh, sizeof(float) * size_t(d3));
    if (t > 0) sgemm(false, false, rows, d3, d, 1.f, states + ((b0 * L) + t - 1) * d, L * d, g.wh, d3, 1.f, hp.data(), d3);
    for (int64_t r = 0; r < rows; r++) {
      const int64_t at = (b0 + r) * L + t;
      const float* x = g.xp + at * d3;
      const float* h = hp.data() + r * d3;
      const float* prev = t == 0 ? nullptr : states + (at - 1) * d;
      float* out = states + at * d;
      float* keepGates = saved + at * 4 * d;  // r | z | n | hn
      const float keep = g.keep[at];
      for (int64_t j = 0; j < d; j++) {
        const float rg = sigmoid(x[j] + h[j]);
        const float zg = sigmoid(x[d + j] + h[d + j]);
        const float ng = std::tanh(x[2 * d + j] + rg * h[2 * d + j]);
        const float before = prev ? prev[j] : 0.f;
        const float next = (1.f - zg) * ng + zg * before;
        out[j] = keep * next + (1.f - keep) * before;
        keepGates[j] = rg;
        keepGates[d + j] = zg;
        keepGates[2 * d + j] = ng;
        keepGates[3 * d + j] = h[2 * d + j];
      }
    }
  }
}

void gruBackwardRows(const Gru& g, int64_t b0, int64_t b1, const float* dStates, const float* states, const float* saved, float* dxp, float* dwh,
                     float* dbh) {
  const int64_t L = g.L, d = g.d, d3 = 3 * d, rows = b1 - b0;
  std::vector<float> carry(size_t(rows * d), 0.f), dhp(size_t(rows * d3));
  for (int64_t t = L - 1; t >= 0; t--) {
    for (int64_t r = 0; r < rows; r++) {
      const int64_t at = (b0 + r) * L + t;
      const float* gates = saved + at * 4 * d;
      const float* prev = t == 0 ? nullptr : states + (at - 1) * d;
      const float keep = g.keep[at];
      float* gr = carry.data() + r * d;
      float* dh = dhp.data() + r * d3;
      float* dx = dxp + at * d3;
      for (int64_t j = 0; j < d; j++) {
        const float total = gr[j] + dStates[at * d + j];
        const float rg = gates[j], zg = gates[d + j], ng = gates[2 * d + j], hn = gates[3 * d + j];
        const float before = prev ? prev[j] : 0.f;
        const float dnext = keep * total;
        const float dnPre = dnext * (1.f - zg) * (1.f - ng * ng);
        const float dzPre = dnext * (before - ng) * zg * (1.f - zg);
        const float drPre = dnPre * hn * rg * (1.f - rg);
        dx[j] = drPre;
        dx[d + j] = dzPre;
        dx[2 * d + j] = dnPre;
        dh[j] = drPre;
        dh[d + j] = dzPre;
        dh[2 * d + j] = dnPre * rg;
        gr[j] = (1.f - keep) * total + dnext * zg;  // into h_{t-1}, before the path through W_h
      }
      for (int64_t j = 0; j < d3; j++) dbh[j] += dh[j];
    }
    if (t == 0) break;  // h_{-1} is the zero start: its gradient goes nowhere
    // d h_{t-1} += dhp · W_hᵀ ;  d W_h += h_{t-1}ᵀ · dhp
    sgemm(false, true, rows, d, d3, 1.f, dhp.data(), d3, g.wh, d3, 1.f, carry.data(), d);
    sgemm(true, false, d, d3, rows, 1.f, states + ((b0 * L) + t - 1) * d, L * d, dhp.data(), d3, 1.f, dwh, d3);
  }
}

}  // namespace grasp
