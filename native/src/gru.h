// One GRU layer over [B, L] sequences (see gru.cc); the caller hands out blocks of sequences.
#pragma once
#include <cstdint>

namespace grasp {

struct Gru {
  const float* xp;    // [B, L, 3d] input projections x·W_x + b_x, gates r | z | n
  const float* wh;    // [d, 3d]
  const float* bh;    // [3d]
  const float* keep;  // [B, L] 1 at real items, 0 at padding (the state is carried over)
  int64_t L, d;
};

// Sequences [b0, b1): states [B, L, d]; saved [B, L, 4d] holds r | z | n | hn for the backward pass.
void gruForwardRows(const Gru& g, int64_t b0, int64_t b1, float* states, float* saved);

// Sequences [b0, b1): dxp [B, L, 3d] written; dwh [d, 3d] and dbh [3d] accumulated (the caller's own buffers).
void gruBackwardRows(const Gru& g, int64_t b0, int64_t b1, const float* dStates, const float* states, const float* saved, float* dxp, float* dwh,
                     float* dbh);

}  // namespace grasp
