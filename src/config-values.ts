/**
 * Value checks of the configuration, one named refinement each, applied by the schemas in
 * config.ts: what a value must be for the program to run safely (a read-only query, …). Kept apart
 * from loading (where values come from, unknown keys) so that each reads on its own. Pure.
 */
import type { z } from 'zod';
import { SyncError } from './errors';
import { checkReadOnlyQuery } from './roster/read-only-query';

/** A db source's `query` must pass the same check the import makes before connecting. */
export function readOnlyQueryRefinement(s: { client: 'pg' | 'mysql2'; query?: string | undefined }, ctx: z.RefinementCtx): void {
  if (!s.query) return;
  try {
    checkReadOnlyQuery(s.query, s.client);
  } catch (err) {
    if (!(err instanceof SyncError)) throw err;
    ctx.addIssue({ code: 'custom', path: ['query'], message: err.message });
  }
}
