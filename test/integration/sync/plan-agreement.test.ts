/**
 * The set-based plan (SQL) agrees with the merge rules of src/sync/merge.ts on generated data:
 * random roster/base/remote triples, random managed fields, omitted remote keys, both policies.
 * Each run is planned twice: first through the field-level merge alone (no digests stored yet),
 * then again with the digests that plan stored, so that unchanged rows are set aside first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRACTICE_FIELDS, type PracticeField, type PracticeValues } from '../../../src/practice';
import { planRun } from '../../../src/sync/plan';
import { decideOp, effectiveRemote, mergePractice, payloadHash, planFlags, type ConflictPolicy } from '../../../src/sync/merge';
import { toPayload } from '../../../src/sync/payload';
import { accountOf, actions, addPractice, addRemote, addRoster, createPlanTestApp, createRun, finishRun, values, type PlanTestApp } from './plan-helpers';

let t: PlanTestApp;
beforeAll(async () => {
  t = await createPlanTestApp();
});
afterAll(async () => {
  await t?.close();
});

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 4294967296);
}

// Few distinct values per field so that equal and different sides both happen often; quotes,
// backslashes and non-ASCII exercise the SQL payload hash.
const POOL = [null, 'a', 'b', 'Ünïcode "q" \\ x'];

describe('plan SQL vs merge.ts', () => {
  for (const [policy, seed] of [['roster-wins', 1], ['remote-wins', 2]] as Array<[ConflictPolicy, number]>) {
    it(`agrees on 300 generated practices (${policy})`, async () => {
      const r = rng(seed);
      const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
      const gen = (): PracticeValues => {
        const v = values();
        for (const f of PRACTICE_FIELDS) (v as unknown as Record<string, unknown>)[f] = f === 'active' ? pick([null, true, false]) : pick(POOL);
        return v;
      };
      const vary = (v: PracticeValues): PracticeValues => {
        const out = { ...v } as unknown as Record<string, unknown>;
        for (const f of PRACTICE_FIELDS) if (r() < 0.25) out[f] = f === 'active' ? pick([null, true, false]) : pick(POOL);
        return out as unknown as PracticeValues;
      };
      const managed = PRACTICE_FIELDS.filter((f) => f !== 'active' && r() < 0.7);
      const src = `agree-${policy}`;
      // A dry run: its plan records nothing in `practices` but the digests, so the second plan sees the same base.
      const runId = await createRun(t.deps.db, { managed, source: src, dryRun: true });
      const expected = new Map<string, { op: string; payload: Record<string, string>; conflicts: unknown; flags: string[] | null }>();
      const roster = [];
      let same = 0;
      for (let n = 0; n < 300; n++) {
        const externalId = `${src}-${n}`;
        const accountId = accountOf(externalId);
        // One in six equal on all three sides (what the first pass sets aside); the rest random.
        const equal = r() < 1 / 6;
        const base = equal ? { ...gen(), active: pick([true, false]) } : r() < 0.7 ? gen() : null;
        const remote = equal ? { ...base! } : r() < 0.8 ? (base ? vary(base) : gen()) : null;
        const rosterValues = equal ? { ...base! } : base ? vary(base) : remote ? vary(remote) : gen();
        const omit = remote && !equal ? PRACTICE_FIELDS.filter(() => r() < 0.08) : [];
        const lastStatus = equal ? 'succeeded' : pick(['succeeded', 'succeeded', 'failed', 'halted']);
        if (equal) same++;
        if (base) await addPractice(t.deps.db, { externalId, values: base, source: src, lastStatus });
        if (remote) await addRemote(t.deps.db, runId, accountId, remote, omit);
        roster.push({ externalId, values: rosterValues });

        const remoteSeen = remote ? { ...remote, ...Object.fromEntries(omit.map((f) => [f, null])) } as PracticeValues : null;
        const m = mergePractice({ roster: rosterValues, base, remote: remoteSeen, remoteMissing: new Set<PracticeField>(omit), managed: new Set(managed), policy });
        const eff = remoteSeen ? effectiveRemote(remoteSeen, base, new Set(omit)) : null;
        const op = decideOp({ merged: m.values, remote: eff, lastStatus: base ? lastStatus : null });
        if (op === 'unchanged') continue;
        const flags = planFlags(m.values, eff);
        if (base && (lastStatus === 'failed' || lastStatus === 'halted')) flags.push('retry_failed');
        if (base && !remote) flags.push('recreate');
        expected.set(accountId, {
          op,
          payload: toPayload(accountId, m.values) as Record<string, string>,
          conflicts: m.conflicts.length ? m.conflicts : null,
          flags: flags.length ? flags : null,
        });
      }
      await addRoster(t.deps.db, runId, roster);
      const deps = t.withConfig({ policy, guardrails: { minKnownPractices: 100_000 } });
      for (const pass of ['merge only', 'digests first']) {
        // A planned dry run ends 'previewed'; the test takes it back to plan the same data again.
        if (pass === 'digests first') await t.deps.db('runs').where({ id: runId }).update({ status: 'planning' });
        const plan = await planRun(deps, { runId, source: { ...t.source, name: src } });
        if (pass === 'merge only') expect(plan.counts.setAside).toBe(0);
        else expect(plan.counts.setAside).toBe(same); // every practice equal on all three sides, and only those
        const rows = await actions(t.deps.db, runId);
        expect(rows.length).toBe(expected.size);
        expect(plan.counts.unchanged).toBe(300 - expected.size);
        expect(expected.size).toBeGreaterThan(100); // the data exercises the rules
        for (const row of rows) {
          const e = expected.get(row.account_id);
          expect({ pass, account: row.account_id, op: row.op, payload: row.payload, conflicts: row.conflicts, flags: row.flags })
            .toEqual({ pass, account: row.account_id, ...e });
          expect(row.payload_hash).toBe(payloadHash(row.payload));
        }
      }
      await finishRun(t.deps.db, runId);
    });
  }
});
