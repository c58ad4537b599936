// Softmax cross-entropy of next-item scores, loss and gradients in one pass (see softmax_loss.cc).
#pragma once
#include <cstdint>

namespace grasp {

struct SoftmaxLoss {
  const float* states;      // H [rows, d]
  const float* table;       // E [tableRows, d]
  const int32_t* targets;   // [rows] row of E that is each state's target
  const float* candidates;  // C [K, d]: E[1..K] for the full softmax, the gathered negatives for sampled
  const int32_t* candidateIds;  // sampled: [K] rows of E (a negative equal to the target is masked); full: null
  const float* logQ;        // sampled: [K] subtracted from the negatives' logits, or null
  int64_t rows, d, K;
  float scale;              // 1 / (rows the loss is averaged over)
  bool full;                // full: candidate k is row k + 1 of E and contains the target
};

// Rows [r0, r1): returns Σ (logsumexp − target logit); writes dStates rows (already scaled), adds
// the candidates' gradient into dCandidates [K, d] and, when sampled, each row's d(target logit)
// into dPositive[r]. `scratch` holds (r1 − r0) · K floats.
double softmaxLossRows(const SoftmaxLoss& a, int64_t r0, int64_t r1, float* dStates, float* dCandidates, float* dPositive, float* scratch);

}  // namespace grasp
