/**
 * fast-check settings for the property tests: a fixed seed and a bounded number of runs in
 * `npm test`; `PROPERTY_RUNS=N` (and `PROPERTY_SEED=S`) run longer or elsewhere, e.g.
 * `PROPERTY_RUNS=2000 npx vitest run --config vitest.unit.config.ts test/unit/property`.
 */
export const PROPERTY_SEED = Number(process.env.PROPERTY_SEED ?? 1216);

/** `base` runs by default; PROPERTY_RUNS multiplies nothing, it replaces the count. */
export function propertyRuns(base: number): { seed: number; numRuns: number } {
  const n = Number(process.env.PROPERTY_RUNS);
  return { seed: PROPERTY_SEED, numRuns: Number.isInteger(n) && n > 0 ? n : base };
}

/** A longer run needs a longer test timeout (set with vi.setConfig at the top of the file). */
export function propertyTimeoutMs(): number {
  return process.env.PROPERTY_RUNS ? 1_800_000 : 60_000;
}
