import { UsageError } from './fail';

/** A numeric flag's value when it is a whole number of at least `min`; else a usage error naming the flag. */
export function wholeNumber(flag: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new UsageError(`${flag} must be a whole number ≥ ${min}, not ${value}`);
  }
  return value;
}
