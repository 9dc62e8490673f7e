import { describe, expect, it } from 'vitest';
import { shouldHold } from '../../../src/sync/guardrails';

const limits = { maxDeactivateShare: 0.05, maxChangeShare: 0.25, minKnownPractices: 20 };
const c = (x: Partial<{ update: number; deactivate: number; reactivate: number; known: number }>) => ({ update: 0, deactivate: 0, reactivate: 0, known: 100, ...x });

describe('shouldHold', () => {
  it.each([
    ['nothing changes', c({}), false],
    ['deactivations at the limit', c({ deactivate: 5 }), false],
    ['deactivations above the limit', c({ deactivate: 6 }), true],
    ['changes at the limit', c({ update: 20, reactivate: 5 }), false],
    ['changes above the limit', c({ update: 20, reactivate: 6 }), true],
    ['creates do not count', c({ update: 0 }), false],
    ['few known practices: not applied', c({ deactivate: 19, known: 19 }), false],
  ] as const)('%s', (_n, counts, hold) => {
    expect(shouldHold(counts, limits).hold).toBe(hold);
  });

  it('explains every limit exceeded with numbers', () => {
    const d = shouldHold(c({ deactivate: 50, update: 10, known: 200 }), limits);
    expect(d.reason).toBe('would deactivate 50 of 200 known practices (25%), more than maxDeactivateShare 5%; would change 60 of 200 known practices (30%: 10 updates, 50 deactivations, 0 reactivations), more than maxChangeShare 25%');
    expect(d).toMatchObject({ hold: true, checked: true, deactivateShare: 0.25, changeShare: 0.3 });
  });

  it('says why it did not apply below minKnownPractices', () => {
    expect(shouldHold(c({ known: 3, deactivate: 3 }), limits)).toMatchObject({ hold: false, checked: false, reason: expect.stringContaining('3 known practices, fewer than minKnownPractices 20') });
  });
});
