import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from 'commander';
import { intOption } from '../../../src/cli/int-option';

describe('intOption', () => {
  const parse = intOption(1, 256);
  it.each(['abc', '0', '-5', '1e3', '2.5', '257', '', ' ', '0x10', 'Infinity', '9007199254740993'])('refuses %j', (v) => {
    expect(() => parse(v)).toThrow(InvalidArgumentError);
  });
  it.each([['1', 1], ['16', 16], ['+8', 8], ['256', 256]])('takes %j', (v, n) => expect(parse(v)).toBe(n));
});
