/**
 * The runs module's statements run on knex (a pool or a transaction) or on a raw pg client inside
 * a caller's transaction (the plan and approve transactions hold `FOR UPDATE` on the run). Both
 * meet as `Queryable`; statements use `$n` placeholders.
 */
import type { Knex } from 'knex';

export interface QueryResult<R = Record<string, unknown>> { rows: R[]; rowCount: number | null }
export interface Queryable { query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<R>> }
export type Db = Knex | Knex.Transaction | Queryable;

const isKnex = (db: Db): db is Knex => typeof db === 'function';

/** `$1 … $n` → knex's positional `?` (in order of appearance, so a parameter may repeat). */
function toKnexRaw(text: string, params: unknown[]): [string, unknown[]] {
  const ordered: unknown[] = [];
  const sql = text.replace(/\$(\d+)/g, (_, n: string) => {
    ordered.push(params[Number(n) - 1]);
    return '?';
  });
  return [sql, ordered];
}

export function asQueryable(db: Db): Queryable {
  if (!isKnex(db)) return db;
  return {
    async query<R>(text: string, params: unknown[] = []) {
      const [sql, bindings] = toKnexRaw(text, params);
      const res = (await db.raw(sql, bindings as Knex.RawBinding[])) as { rows: R[]; rowCount: number | null };
      return { rows: res.rows, rowCount: res.rowCount };
    },
  };
}

/** Runs `fn` in one transaction: knex's, or the caller's when `db` is already a client in one. */
export async function inTransaction<T>(db: Db, fn: (q: Queryable) => Promise<T>): Promise<T> {
  if (!isKnex(db)) return fn(db);
  if ((db as Knex.Transaction).isTransaction) return fn(asQueryable(db));
  return db.transaction((trx) => fn(asQueryable(trx)));
}

export const UNIQUE_VIOLATION = '23505';
export const isUniqueViolation = (err: unknown): boolean => (err as { code?: string }).code === UNIQUE_VIOLATION;
