/**
 * Values made on first use, for what is costly to load and needed only off the common path (zod
 * and libphonenumber-js take ~200 ms each to load; an import thread whose rows are all plain and
 * valid never needs them).
 */
import { createRequire } from 'node:module';

const requireCjs = createRequire(import.meta.url);

/** `make()` once, on the first call; the same value after. */
export function lazy<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

/** A package `require`d on the first call (resolved from this project, as an import would be). */
export function lazyRequire<T>(id: string): () => T {
  return lazy(() => requireCjs(id) as T);
}
