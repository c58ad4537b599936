import { InvalidArgumentError } from 'commander';

/** Option parser for counts and sizes; commander turns the error into a usage error (exit 2). */
export function nonNegativeInteger(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a non-negative integer');
  return Number(value);
}

/** Option parser for widths and sizes that cannot be 0. */
export function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('expected a positive integer');
  return Number(value);
}

/** Option parser for shares and probabilities in [0, 1]. */
export function unitInterval(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0 || number > 1) throw new InvalidArgumentError('expected a number in [0, 1]');
  return number;
}
