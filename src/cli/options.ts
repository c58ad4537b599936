import { InvalidArgumentError } from 'commander';

/** Option parser for counts and sizes; commander turns the error into a usage error (exit 2). */
export function nonNegativeInteger(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a non-negative integer');
  return Number(value);
}
