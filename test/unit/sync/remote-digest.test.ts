import { describe, expect, it } from 'vitest';
import { emptyPracticeValues, type PracticeValues } from '../../../src/practice';
import { remoteDigest } from '../../../src/sync/snapshot';

const v = (x: Partial<PracticeValues> = {}): PracticeValues => ({ ...emptyPracticeValues(), name: 'Clinic', city: 'Columbus', active: true, ...x });

describe('remoteDigest (the plan sets a practice aside only when Updox holds the same whole record)', () => {
  it('is a uuid and ignores the order of the keys and the modelled keys of the record', () => {
    const d = remoteDigest(v(), [], { accountId: 'a', name: 'Clinic', metadata: 'm', partnerNote: { b: 1, a: [2, { d: 3, c: 4 }] } });
    expect(d).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(remoteDigest(v(), [], { partnerNote: { a: [2, { c: 4, d: 3 }], b: 1 }, metadata: 'm', city: 'elsewhere' })).toBe(d);
  });

  it('changes with a practice column, a key left out, or any unmodelled field', () => {
    const d = remoteDigest(v(), [], { metadata: 'm' });
    expect(remoteDigest(v({ city: 'Dublin' }), [], { metadata: 'm' })).not.toBe(d);
    expect(remoteDigest(v(), ['country'], { metadata: 'm' })).not.toBe(d); // absent is not empty
    expect(remoteDigest(v(), [], { metadata: 'm2' })).not.toBe(d);
    expect(remoteDigest(v(), [], { metadata: 'm', practiceNpi: '1234567890' })).not.toBe(d);
    expect(remoteDigest(v(), [], { metadata: 'm', port: 8443 })).not.toBe(remoteDigest(v(), [], { metadata: 'm', port: '8443' }));
  });
});
