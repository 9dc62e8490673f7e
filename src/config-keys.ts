/**
 * Unknown keys in the config file: a typo (`guardrail:`, `perod:`, `scheduel:`) would otherwise be
 * ignored and its value silently replaced by the default. Walks the parsed file beside the zod
 * schema and names each key the schema does not know, with the nearest known key when one is
 * close. Pure: no I/O.
 */
import type { z } from 'zod';

type Def = { type: string; [k: string]: unknown };
const defOf = (s: unknown): Def => (s as { _zod: { def: Def } })._zod.def;

/** The object or record schema under wrappers (optional, default, nullable, pipe…), or null. */
function unwrap(schema: unknown): Def | null {
  let d = defOf(schema);
  for (let i = 0; i < 10; i++) {
    if (d.type === 'object' || d.type === 'record' || d.type === 'array' || d.type === 'union') return d;
    const inner = d.innerType ?? d.in ?? d.schema;
    if (!inner) return null;
    d = defOf(inner);
  }
  return null;
}

/** Edit distance counting a swap of two neighbours as one edit (optimal string alignment), for the did-you-mean. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The known key nearest to `key`, when it is close enough to be a typo of it. */
export function didYouMean(key: string, known: readonly string[]): string | undefined {
  const k = key.toLowerCase();
  let best: { name: string; d: number } | undefined;
  for (const name of known) {
    const n = name.toLowerCase();
    const d = n === k ? 0 : n.startsWith(k) || k.startsWith(n) ? 1 : editDistance(k, n);
    if (!best || d < best.d) best = { name, d };
  }
  return best && best.d <= Math.max(1, Math.floor(Math.max(key.length, best.name.length) / 3)) ? best.name : undefined;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Every key of `value` that `schema` does not know, as "path: unknown key (did you mean …?)".
 * A union (a source is csv or db) is matched by its `kind` when it has one; otherwise a key is
 * unknown only when no option knows it.
 */
export function unknownKeys(value: unknown, schema: z.ZodType, at = ''): string[] {
  const d = unwrap(schema);
  if (!d) return [];
  const here = (k: string) => (at ? `${at}.${k}` : k);
  if (d.type === 'array') return Array.isArray(value) ? value.flatMap((v, i) => unknownKeys(v, d.element as z.ZodType, here(String(i)))) : [];
  if (d.type === 'union') {
    const options = d.options as z.ZodType[];
    const kind = isPlainObject(value) ? value.kind : undefined;
    const byKind = options.find((o) => {
      const od = unwrap(o);
      const lit = od?.type === 'object' ? (od.shape as Record<string, unknown>).kind : undefined;
      return lit !== undefined && (defOf(lit).values as unknown[] | undefined)?.includes(kind);
    });
    if (byKind) return unknownKeys(value, byKind, at);
    const each = options.map((o) => unknownKeys(value, o, at));
    return each.reduce((a, b) => a.filter((x) => b.includes(x)));
  }
  if (!isPlainObject(value)) return [];
  if (d.type === 'record') {
    const key = defOf(d.keyType);
    const known = key.type === 'enum' ? Object.keys(key.entries as Record<string, unknown>) : null;
    return Object.entries(value).flatMap(([k, v]) => [
      ...(known && !known.includes(k) ? [problem(here(k), k, known)] : []),
      ...unknownKeys(v, d.valueType as z.ZodType, here(k)),
    ]);
  }
  const shape = d.shape as Record<string, z.ZodType>;
  const known = Object.keys(shape);
  return Object.entries(value).flatMap(([k, v]) => (shape[k] ? unknownKeys(v, shape[k], here(k)) : [problem(here(k), k, known)]));
}

function problem(path: string, key: string, known: readonly string[]): string {
  const near = didYouMean(key, known);
  return `${path}: unknown key${near ? ` (did you mean "${near}"?)` : ''}`;
}
