// Number formatting for the statistics view: fixed locale so numbers read the same in every screenshot.
const whole = new Intl.NumberFormat('en-US');

export const int = (n: number): string => whole.format(Math.round(n));
export const dec = (n: number, digits = 2): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const pct = (share: number, digits = 1): string => `${(share * 100).toFixed(digits)} %`;

/** Densities of recommendation data are tiny; show enough significant digits to compare two datasets. */
export const density = (d: number): string => (d >= 0.001 ? pct(d, 2) : `${(d * 100).toPrecision(2)} %`);
