import { describe, expect, it } from 'vitest';
import { deriveAccountId } from '../../../src/sync/account-id';

const rule = { prefix: 'tp-', charset: 'A-Za-z0-9._-', maxLength: 24 };

describe('deriveAccountId (the plan relies on it to never land on another practice)', () => {
  it('is deterministic and keeps a clean id readable', () => {
    expect(deriveAccountId('P0001', rule)).toBe('tp-P0001');
    expect(deriveAccountId(' P0001 ', rule)).toBe('tp-P0001');
  });

  it('gives distinct accountIds to ids that clean to the same text', () => {
    const ids = ['a b', 'a/b', 'a-b', 'a_b', 'A B', 'a  b'];
    const out = ids.map((i) => deriveAccountId(i, rule));
    expect(new Set(out).size).toBe(ids.length);
    for (const o of out) expect(o).toMatch(/^tp-[A-Za-z0-9._-]+$/);
  });

  it('gives distinct accountIds to long ids that share a prefix, within maxLength', () => {
    const a = deriveAccountId('x'.repeat(40) + '1', rule);
    const b = deriveAccountId('x'.repeat(40) + '2', rule);
    expect(a).not.toBe(b);
    expect(a.length).toBeLessThanOrEqual(24);
  });
});
