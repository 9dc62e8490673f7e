/**
 * An optional field the import dropped (a junk website, fax or zone: a `dropped` warning) means
 * "keep" in the plan: the saved value stands, where an empty mapped cell would clear it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planRun } from '../../../src/sync/plan';
import { accountOf, actions, addPractice, addRemote, addRoster, createPlanTestApp, createRun, practice, type PlanTestApp } from './plan-helpers';

let t: PlanTestApp;
beforeAll(async () => { t = await createPlanTestApp(); });
afterAll(async () => { await t?.close(); });

const dropped = (field: string) => JSON.stringify([{ field, rule: 'dropped', message: `${field}: not a URL (invalid); "red bud regional hospital" dropped, the row goes on` }]);

describe('a dropped optional field keeps what was saved', () => {
  it('no action for a dropped website alone, the saved website in an update, a clear only for an empty cell', async () => {
    const src = 'drop';
    const runId = await createRun(t.deps.db, { source: src });
    const id = (n: number) => `${src}-${n}`;
    for (const n of [1, 2, 3]) {
      await addPractice(t.deps.db, { source: src, externalId: id(n), values: practice(n) });
      await addRemote(t.deps.db, runId, accountOf(id(n)), practice(n));
    }
    await addRoster(t.deps.db, runId, [
      { externalId: id(1), values: practice(1, { websiteUrl: null, active: null }) },
      { externalId: id(2), values: practice(2, { websiteUrl: null, fax: null, name: 'Clinic Two Renamed', active: null }) },
      { externalId: id(3), values: practice(3, { websiteUrl: null, active: null }) },
    ]);
    await t.deps.db('roster_rows').where({ run_id: runId }).whereIn('external_id', [id(1), id(2)]).update({ warnings: dropped('websiteUrl') });
    const plan = await planRun(t.deps, { runId, source: { ...t.source, name: src } });
    expect(plan.counts).toMatchObject({ update: 2, unchanged: 1 });
    const byId = Object.fromEntries((await actions(t.deps.db, runId)).map((a) => [a.external_id, a]));
    expect(byId[id(1)]).toBeUndefined();
    expect(byId[id(2)]!.payload).toMatchObject({ name: 'Clinic Two Renamed', websiteUrl: 'https://clinic2.example' });
    expect(byId[id(3)]!.payload.websiteUrl).toBeUndefined(); // an empty mapped cell still clears
  });
});
