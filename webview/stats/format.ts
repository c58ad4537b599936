// Number formatting for the statistics view: fixed locale so numbers read the same in every screenshot.
const whole = new Intl.NumberFormat('en-US');

export const int = (n: number): string => whole.format(Math.round(n));
export const dec = (n: number, digits = 2): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const pct = (share: number, digits = 1): string => `${(share * 100).toFixed(digits)} %`;

/** Densities of recommendation data are tiny; show enough significant digits to compare two datasets. */
export const density = (d: number): string => (d >= 0.001 ? pct(d, 2) : `${(d * 100).toPrecision(2)} %`);

/**
 * Whether a histogram reads better on a log count axis: when its tallest bar dwarfs the typical one (Beauty's
 * lengths: one tall bar of short sequences, the long ones invisible on a linear axis).
 */
export function skewed(counts: readonly number[]): boolean {
  const nonZero = counts.filter((c) => c > 0).sort((a, b) => a - b);
  if (nonZero.length < 3) return false;
  return nonZero[nonZero.length - 1] > 20 * nonZero[Math.floor(nonZero.length / 2)];
}
