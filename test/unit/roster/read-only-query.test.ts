import { describe, expect, it } from 'vitest';
import { checkReadOnlyQuery, type SqlDialect } from '../../../src/roster/read-only-query';
import { SyncError } from '../../../src/errors';

function refusal(sql: string, dialect: SqlDialect): SyncError {
  try {
    checkReadOnlyQuery(sql, dialect);
  } catch (err) {
    expect(err).toBeInstanceOf(SyncError);
    expect((err as SyncError).code).toBe('IMPORT_DB_QUERY_REFUSED');
    return err as SyncError;
  }
  throw new Error(`not refused: ${sql}`);
}

const both: SqlDialect[] = ['pg', 'mysql2'];

describe('checkReadOnlyQuery accepts plain reads', () => {
  it.each([
    ['SELECT * FROM practices', 'SELECT * FROM practices'],
    ['  select id, name from practices where st <> \'TX\';  ', 'select id, name from practices where st <> \'TX\''],
    ['SELECT a FROM t; -- trailing comment', 'SELECT a FROM t'],
    ['WITH x AS (SELECT 1 AS a) SELECT a FROM x', 'WITH x AS (SELECT 1 AS a) SELECT a FROM x'],
    ['(SELECT 1) UNION (SELECT 2)', '(SELECT 1) UNION (SELECT 2)'],
    ["SELECT 'it''s; DELETE FROM t' AS s", "SELECT 'it''s; DELETE FROM t' AS s"],
    ['SELECT t.update, t."delete" FROM t', 'SELECT t.update, t."delete" FROM t'],
    ['SELECT update_time, deleted FROM t', 'SELECT update_time, deleted FROM t'],
  ])('%j', (sql, out) => {
    for (const d of both) expect(checkReadOnlyQuery(sql, d)).toBe(out);
  });
  it('Postgres: dollar quotes, nested comments, VALUES and TABLE', () => {
    expect(checkReadOnlyQuery('SELECT $q$; COMMIT; DELETE FROM t$q$ AS s', 'pg')).toBe('SELECT $q$; COMMIT; DELETE FROM t$q$ AS s');
    expect(checkReadOnlyQuery('SELECT /* a /* nested ; */ still */ 1', 'pg')).toBe('SELECT /* a /* nested ; */ still */ 1');
    expect(checkReadOnlyQuery('VALUES (1, 2)', 'pg')).toBe('VALUES (1, 2)');
    expect(checkReadOnlyQuery('TABLE practices', 'pg')).toBe('TABLE practices');
  });
  it('MySQL: backticks, # comments, CHARACTER SET in a cast, 1--1 is arithmetic', () => {
    expect(checkReadOnlyQuery('SELECT `id`, CAST(n AS CHAR CHARACTER SET utf8mb4) FROM t # note', 'mysql2')).toBe('SELECT `id`, CAST(n AS CHAR CHARACTER SET utf8mb4) FROM t');
    expect(checkReadOnlyQuery('SELECT 1--1 FROM t', 'mysql2')).toBe('SELECT 1--1 FROM t');
  });
});

describe('checkReadOnlyQuery refuses', () => {
  it.each([
    ['SELECT 1; COMMIT; DELETE FROM t', /more than one statement/],
    ['SELECT 1; ROLLBACK', /more than one statement/],
    ['COMMIT', /starts with "COMMIT"/],
    ['ROLLBACK', /starts with "ROLLBACK"/],
    ['SET TRANSACTION READ WRITE', /starts with "SET"/],
    ['DELETE FROM practices', /starts with "DELETE"/],
    ['UPDATE practices SET a = 1', /starts with "UPDATE"/],
    ['INSERT INTO practices VALUES (1)', /starts with "INSERT"/],
    ['DROP TABLE practices', /starts with "DROP"/],
    ['CREATE TABLE x (a int)', /starts with "CREATE"/],
    ['TRUNCATE practices', /starts with "TRUNCATE"/],
    ['WITH d AS (DELETE FROM practices RETURNING *) SELECT * FROM d', /"DELETE" has no place/],
    ['WITH u AS (UPDATE practices SET a = 1 RETURNING *) SELECT * FROM u', /"UPDATE" has no place/],
    ["COPY (SELECT 1) TO PROGRAM 'touch /tmp/x'", /starts with "COPY"/],
    ["SELECT nextval('s')", /nextval\(\) has side effects/],
    ["SELECT pg_catalog.setval('s', 1)", /setval\(\) has side effects/],
    ['SELECT * FROM practices FOR UPDATE', /row locks/],
    ['SELECT * FROM practices FOR SHARE', /row locks/],
    ['SELECT * INTO copy_of FROM practices', /"INTO" has no place/],
    ['', /empty/],
    ['  ;  ', /empty/],
    ["SELECT 'unterminated", /unterminated ' quote/],
    ["SELECT 'a\\' ; DELETE FROM t; '", /backslash/],
    ['SELECT 1 /* open', /unterminated \/\* comment/],
    ['SELECT get_lock(\'x\', 10)', /get_lock\(\) has side effects/],
    ['SELECT sleep(100)', /sleep\(\) has side effects/],
    ["SELECT load_file('/etc/passwd')", /load_file\(\) has side effects/],
    ['SELECT 1\0', /NUL/],
  ])('%j', (sql, why) => {
    for (const d of both) expect(refusal(sql, d).message).toMatch(why);
  });
  it('Postgres: unterminated dollar quote, quoted function names, advisory locks, dblink', () => {
    expect(refusal('SELECT $x$ never closed', 'pg').message).toMatch(/dollar-quoted/);
    expect(refusal(`SELECT "nextval"('s')`, 'pg').message).toMatch(/side effects/);
    expect(refusal('SELECT pg_advisory_lock(1)', 'pg').message).toMatch(/side effects/);
    expect(refusal(`SELECT * FROM dblink('dbname=x', 'delete from t') AS t(a int)`, 'pg').message).toMatch(/side effects/);
    expect(refusal(`SELECT set_config('transaction_read_only', 'off', true)`, 'pg').message).toMatch(/side effects/);
  });
  it('MySQL: executable comments, INTO OUTFILE, NEXT VALUE FOR, LOCK IN SHARE MODE', () => {
    expect(refusal('SELECT 1 /*! INTO OUTFILE "/tmp/x" */', 'mysql2').message).toMatch(/executable comments/);
    expect(refusal('SELECT 1 /*M!100000 , sleep(5) */', 'mysql2').message).toMatch(/executable comments/);
    expect(refusal("SELECT * FROM t INTO OUTFILE '/tmp/x'", 'mysql2').message).toMatch(/"INTO"/);
    expect(refusal('SELECT NEXT VALUE FOR s', 'mysql2').message).toMatch(/NEXT VALUE FOR/);
    expect(refusal('SELECT * FROM t LOCK IN SHARE MODE', 'mysql2').message).toMatch(/"LOCK"/);
    expect(refusal('SELECT `nextval`(s)', 'mysql2').message).toMatch(/side effects/);
  });
  it('names where the problem is', () => {
    const e = refusal('SELECT 1; DELETE FROM t', 'pg');
    expect(e.message).toMatch(/at character 9/);
    expect(e.details).toMatchObject({ position: 9 });
  });
  it('a -- comment hides a second statement from neither dialect', () => {
    // Postgres reads "--x" as a comment; MySQL reads "--x" as two minuses, so the ";" after it counts.
    expect(checkReadOnlyQuery('SELECT 1 --x; DELETE FROM t\n', 'pg')).toBe('SELECT 1');
    expect(refusal('SELECT 1 --x; DELETE FROM t\n', 'mysql2').message).toMatch(/more than one statement/);
  });
});
