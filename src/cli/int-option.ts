/**
 * A commander argument parser for an integer flag within bounds: `abc`, `0`, `-5`, `1e3` or
 * `2.5` is refused by commander with the flag named (exit 2, usage), before the command runs.
 */
import { InvalidArgumentError } from 'commander';

export function intOption(min: number, max: number): (value: string) => number {
  return (value: string) => {
    const n = /^[+-]?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`an integer from ${min} to ${max} is needed, got "${value}"`);
    return n;
  };
}
