// Softmax cross-entropy over many items without the [rows, items] logits of the whole batch ever
// existing: the caller hands out blocks of rows; each block computes its logits (one sgemm), turns
// them into d(logits) in place, and two more sgemms give d(states) and d(candidates). The loss and
// both gradients come out of the forward pass, so the backward pass only scales them.
#include "softmax_loss.h"

#include <cmath>
#include <vector>

#include "fast_math.h"
#include "gemm.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define GRASP_ROW_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define GRASP_ROW_CLONES
#endif

namespace grasp {
namespace {

// One row of logits → probabilities × scale, in place. Returns logsumexp over the row and `extra`, a
// logit outside the row (the sampled positive; -inf when there is none). The entries listed in
// `masked` (candidates equal to the target) count for nothing: exactly 0 out.
GRASP_ROW_CLONES float softmaxRow(float* row, int64_t K, float extra, float scale, const int64_t* masked, int64_t maskedCount, float* extraProbability) {
  for (int64_t m = 0; m < maskedCount; m++) row[masked[m]] = -INFINITY;
  float peak = extra;
#pragma omp simd reduction(max : peak)
  for (int64_t k = 0; k < K; k++) peak = row[k] > peak ? row[k] : peak;  // a select (maxps); std::fmax is a libm call
  float total = 0.f;
#pragma omp simd reduction(+ : total)
  for (int64_t k = 0; k < K; k++) {
    const float e = fastExp(row[k] - peak);  // no branch here, so the loop vectorises
    row[k] = e;
    total += e;
  }
  for (int64_t m = 0; m < maskedCount; m++) {  // fastExp(-inf) is its floor, ~1e-38, not 0
    total -= row[masked[m]];
    row[masked[m]] = 0.f;
  }
  const float extraExp = extra == -INFINITY ? 0.f : std::exp(extra - peak);
  total += extraExp;
  const float factor = scale / total;
#pragma omp simd
  for (int64_t k = 0; k < K; k++) row[k] *= factor;
  *extraProbability = extraExp / total;
  return peak + std::log(total);
}

}  // namespace

double softmaxLossRows(const SoftmaxLoss& a, int64_t r0, int64_t r1, float* dStates, float* dCandidates, float* dPositive, float* scratch) {
  const int64_t n = r1 - r0, d = a.d, K = a.K;
  const float* h = a.states + r0 * d;
  sgemm(false, true, n, K, d, 1.f, h, d, a.candidates, d, 0.f, scratch, K);
  double loss = 0;
  std::vector<int64_t> masked;
  for (int64_t r = 0; r < n; r++) {
    float* row = scratch + r * K;
    const int32_t target = a.targets[r0 + r];
    float positive, extra;
    if (a.full) {
      positive = row[target - 1];
      extra = -INFINITY;
    } else {
      const float* e = a.table + int64_t(target) * d;
      const float* hr = h + r * d;
      positive = 0.f;
      for (int64_t j = 0; j < d; j++) positive += hr[j] * e[j];
      extra = positive;
      if (a.logQ)
        for (int64_t k = 0; k < K; k++) row[k] -= a.logQ[k];
      for (int64_t k = 0; k < K; k++)
        if (a.candidateIds[k] == target) masked.push_back(k);
    }
    float extraProbability = 0.f;
    const float lse = softmaxRow(row, K, extra, a.scale, masked.data(), int64_t(masked.size()), &extraProbability);
    masked.clear();
    loss += double(lse) - double(positive);
    if (a.full) row[target - 1] -= a.scale;
    else dPositive[r0 + r] = (extraProbability - 1.f) * a.scale;
  }
  // d(states) = d(logits) · C ; d(C) += d(logits)ᵀ · H
  sgemm(false, false, n, d, K, 1.f, scratch, K, a.candidates, d, 0.f, dStates + r0 * d, d);
  sgemm(true, false, K, d, n, 1.f, scratch, K, h, d, 1.f, dCandidates, d);
  return loss;
}

}  // namespace grasp
