import { describe, expect, it } from 'vitest';
import { csvLines } from '../../../src/csv';
import { parseVendorTime } from '../../../src/sms/numbers';

describe('csvLines (csv-stringify, formula escaping)', () => {
  it.each([
    ['=1+1', "'=1+1"], ['+1', "'+1"], ['-2', "'-2"], ['@SUM(A1)', "'@SUM(A1)"], ['\tx', "'\tx"], ['\rx', `"'\rx"`],
    ['Riverside', 'Riverside'], ['a=b', 'a=b'], ['', ''], [null, ''], [undefined, ''], [3, '3'],
    [new Date('2026-11-24T10:00:00Z'), '2026-11-24T10:00:00.000Z'],
  ])('%j → %j', (v, want) => expect(csvLines([[v]])).toBe(`${want}\r\n`));
});

describe('parseVendorTime', () => {
  it.each([
    ['2026-11-23 09:00:00', '2026-11-23T09:00:00.000Z'],
    ['2026-11-23T09:00:00', '2026-11-23T09:00:00.000Z'],
    ['2026-11-23T09:00:00+02:00', '2026-11-23T07:00:00.000Z'],
    ['not a date', null],
    [undefined, null],
    [12345, null],
  ])('%j → %j', (v, want) => expect(parseVendorTime(v)?.toISOString() ?? null).toBe(want));
});
