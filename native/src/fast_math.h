// Vectorisable float math for the addon's element-wise loops (libm's expf and erff are calls the
// compiler cannot vectorise). Static and always inlined, so each target_clones variant gets its own
// vector code and no out-of-line copy built for a wider instruction set can be shared.
#pragma once
#include <cmath>
#include <cstdint>

namespace grasp {

// exp with a degree-6 polynomial on the reduced argument (Cephes' expf constants): about 2 ulp,
// and plain float arithmetic, so the compiler vectorises the loops that call it; libm's expf does not.
__attribute__((always_inline)) static inline float fastExp(float x) {
  // written as the selects minps/maxps compute (std::fmin/fmax become libm calls: NaN rules)
  x = x > 88.7f ? 88.7f : x;
  x = x < -87.3f ? -87.3f : x;
  // n = round(x / ln 2) by adding and removing 1.5·2^23 (std::floor can become a libm call too)
  const float n = (x * 1.44269504088896341f + 12582912.f) - 12582912.f;
  const float r = x - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float y = p * r * r + r + 1.f;
  return y * __builtin_bit_cast(float, (int32_t(n) + 127) << 23);
}

// erf by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7), on fastExp.
__attribute__((always_inline)) static inline float fastErf(float x) {
  const float a = std::fabs(x);
  const float t = 1.f / (1.f + 0.3275911f * a);
  const float poly = ((((1.061405429f * t - 1.453152027f) * t + 1.421413741f) * t - 0.284496736f) * t + 0.254829592f) * t;
  const float y = 1.f - poly * fastExp(-a * a);
  return std::copysign(y, x);
}

}  // namespace grasp
