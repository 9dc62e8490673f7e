import { describe, expect, it } from 'vitest';
import { emptyPracticeValues, type PracticeValues } from '../../../src/practice';
import { jsonbText, decideOp, mergeField, mergePractice, payloadHash, planFlags, type FieldInput } from '../../../src/sync/merge';

const v = (x: Partial<PracticeValues> = {}): PracticeValues => ({ ...emptyPracticeValues(), name: 'Clinic', city: 'Columbus', active: true, ...x });
const f = (x: Partial<FieldInput>): FieldInput => ({ roster: 'r', base: 'b', remote: 'b', hasBase: true, hasRemote: true, managed: true, ...x });

describe('mergeField', () => {
  it.each([
    // [case, input, policy, value, conflict]
    ['roster changed, remote not: roster', f({ roster: 'new', base: 'old', remote: 'old' }), 'roster-wins', 'new', null],
    ['remote changed, roster not: remote kept (Partner Portal edit)', f({ roster: 'old', base: 'old', remote: 'portal' }), 'roster-wins', 'portal', null],
    ['both changed the same way: no conflict', f({ roster: 'same', base: 'old', remote: 'same' }), 'roster-wins', 'same', null],
    ['both changed differently, roster wins', f({ roster: 'r', base: 'old', remote: 'p' }), 'roster-wins', 'r', 'roster'],
    ['both changed differently, remote wins', f({ roster: 'r', base: 'old', remote: 'p' }), 'remote-wins', 'p', 'remote'],
    ['mapped empty cell clears', f({ roster: null, base: 'old', remote: 'old' }), 'roster-wins', null, null],
    ['clear on both sides vs edit: conflict', f({ roster: null, base: 'old', remote: 'p' }), 'roster-wins', null, 'roster'],
    ['unmanaged: remote kept even if roster differs', f({ managed: false, roster: null, base: 'old', remote: 'p' }), 'roster-wins', 'p', null],
    ['unmanaged, absent from Updox: base kept', f({ managed: false, roster: null, base: 'old', remote: null, hasRemote: false }), 'roster-wins', 'old', null],
    ['never saved (adopt): roster wins, no conflict', f({ roster: 'r', base: null, remote: 'p', hasBase: false }), 'remote-wins', 'r', null],
    ['absent from Updox: roster', f({ roster: 'r', base: 'old', remote: null, hasRemote: false }), 'remote-wins', 'r', null],
  ] as const)('%s', (_name, input, policy, value, conflict) => {
    expect(mergeField(input, policy)).toEqual({ value, conflict });
  });
});

describe('mergePractice', () => {
  it('treats a roster row without an active cell as active, and keeps a Portal deactivation', () => {
    const managed = new Set(['name', 'city'] as const);
    expect(mergePractice({ roster: v({ active: null }), base: v({ active: false }), remote: v({ active: false }), managed, policy: 'roster-wins' }).values.active).toBe(true);
    expect(mergePractice({ roster: v({ active: null }), base: v(), remote: v({ active: false }), managed, policy: 'roster-wins' }).values.active).toBe(false);
  });

  it('lets base stand in for a key PracticeList did not return', () => {
    const m = mergePractice({
      roster: v({ websiteUrl: 'https://a.example' }), base: v({ websiteUrl: 'https://a.example' }), remote: v(),
      remoteMissing: new Set(['websiteUrl']), managed: new Set(['websiteUrl']), policy: 'roster-wins',
    });
    expect(m.values.websiteUrl).toBe('https://a.example');
    expect(m.conflicts).toEqual([]);
  });

  it('lists each conflicting field with the three sides and the side kept', () => {
    const m = mergePractice({ roster: v({ name: 'R' }), base: v({ name: 'B' }), remote: v({ name: 'P' }), managed: new Set(['name']), policy: 'remote-wins' });
    expect(m.conflicts).toEqual([{ field: 'name', roster: 'R', remote: 'P', base: 'B', resolved: 'remote' }]);
    expect(m.values.name).toBe('P');
  });
});

describe('decideOp', () => {
  it.each([
    ['create when Updox lacks it', v(), null, null, 'create'],
    ['unchanged when equal', v(), v(), 'succeeded', 'unchanged'],
    ['update when a field differs', v({ city: 'Dublin' }), v(), 'succeeded', 'update'],
    ['update when equal but the last save failed', v(), v(), 'failed', 'update'],
    ['reactivate', v({ active: true }), v({ active: false }), null, 'reactivate'],
    ['deactivate', v({ active: false }), v({ active: true }), null, 'deactivate'],
  ] as const)('%s', (_n, merged, remote, lastStatus, op) => {
    expect(decideOp({ merged, remote, lastStatus })).toBe(op);
  });
  it('never plans a collision', () => {
    expect(decideOp({ merged: v(), remote: null, lastStatus: null, collision: true })).toBe('collision');
  });
});

describe('planFlags', () => {
  it('flags clearing an address field and the website, not fields that were already empty', () => {
    expect(planFlags(v({ city: null, websiteUrl: null }), v({ websiteUrl: 'https://a.example' }))).toEqual(['clears_address', 'clears_website']);
    expect(planFlags(v({ postal: null }), v({ postal: null }))).toEqual([]);
    expect(planFlags(v({ city: null }), null)).toEqual([]);
  });
});

describe('payloadHash', () => {
  it("hashes the payload's jsonb text (keys by length, then bytes), so key order does not matter", () => {
    expect(jsonbText({ bb: '1', a: 'x"y', c: { zz: 1, y: [true, null] } })).toBe('{"a": "x\\"y", "c": {"y": [true, null], "zz": 1}, "bb": "1"}');
    expect(payloadHash({ accountId: 'a', name: 'n' })).toBe(payloadHash({ name: 'n', accountId: 'a' }));
    expect(payloadHash({ accountId: 'a', name: 'n' })).not.toBe(payloadHash({ accountId: 'a', name: 'm' }));
    expect(payloadHash({ accountId: 'a' })).toMatch(/^[0-9a-f]{64}$/);
  });
});
