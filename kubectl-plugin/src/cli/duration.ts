import ms from 'ms';
import { UsageError } from './fail';

/** Milliseconds in a duration as typed (`30s`, `5m`, `1h`, `0`); `what` names the option. */
export function parseDuration(text: string, what: string): number {
  const value = ms(text as ms.StringValue);
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new UsageError(`${what}: "${text}" is not a duration (use 30s, 5m or 1h)`);
  }
  return value;
}
