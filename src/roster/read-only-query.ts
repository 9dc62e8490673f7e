/**
 * The guard a partner-database query passes before anything connects: exactly one statement, a
 * SELECT (or WITH … SELECT, VALUES, TABLE), with no word or function that writes, locks, runs a
 * program or touches the server's files. The read-only transaction and (on Postgres) the extended
 * protocol enforce the same again on the server; this check names the problem without a
 * connection, and covers what a read-only transaction allows (COPY … TO PROGRAM, advisory locks,
 * MySQL's INTO OUTFILE, DDL's implicit commit on MySQL).
 *
 * The tokenizer follows each server's lexical rules where they differ (Postgres nests block
 * comments and has dollar quoting; MySQL has `#` comments, `-- ` only before a space, executable
 * `/*! … *\/` comments). Where a reading depends on a server setting (backslash escapes in quoted
 * text: standard_conforming_strings, NO_BACKSLASH_ESCAPES), the query is refused rather than guessed.
 * Pure: no I/O.
 */
import { BadInputError } from '../errors';

export type SqlDialect = 'pg' | 'mysql2';

type Token = { kind: 'word' | 'quoted' | 'punct' | 'other'; text: string; start: number; end: number };

/** Statements may only start with these (after any opening parentheses). */
const FIRST_WORDS = new Set(['select', 'with', 'values', 'table']);

/** Words that have no place in a read: writes, DDL, transaction control, locks, server files. */
const FORBIDDEN_WORDS = new Set([
  'insert', 'update', 'delete', 'merge', 'truncate', 'drop', 'alter', 'create', 'grant', 'revoke',
  'copy', 'call', 'execute', 'prepare', 'deallocate', 'lock', 'unlock', 'commit', 'rollback', 'savepoint',
  'begin', 'into', 'outfile', 'dumpfile', 'listen', 'notify',
]);

/**
 * Functions with side effects a read-only transaction does not stop (or that only a read-only
 * role would): sequences, locks, sleeps, signals to other sessions, server files, other
 * connections, session settings, SQL run from a string.
 */
export const SIDE_EFFECT_FUNCTIONS = new Set([
  'nextval', 'setval',
  'pg_advisory_lock', 'pg_advisory_lock_shared', 'pg_advisory_xact_lock', 'pg_advisory_xact_lock_shared',
  'pg_try_advisory_lock', 'pg_try_advisory_lock_shared', 'pg_try_advisory_xact_lock', 'pg_try_advisory_xact_lock_shared',
  'pg_advisory_unlock', 'pg_advisory_unlock_all', 'pg_advisory_unlock_shared',
  'pg_terminate_backend', 'pg_cancel_backend', 'pg_reload_conf', 'pg_rotate_logfile', 'pg_notify',
  'pg_sleep', 'pg_sleep_for', 'pg_sleep_until', 'pg_switch_wal', 'pg_create_restore_point',
  'pg_logical_emit_message', 'pg_promote', 'pg_stat_reset', 'pg_stat_reset_shared', 'pg_stat_reset_single_table_counters',
  'pg_read_file', 'pg_read_binary_file', 'pg_ls_dir', 'pg_stat_file', 'pg_file_write', 'pg_file_rename', 'pg_file_unlink',
  'lo_import', 'lo_export', 'lo_unlink', 'lo_create', 'lo_creat', 'lo_from_bytea', 'lo_put', 'lowrite', 'lo_open',
  'dblink', 'dblink_exec', 'dblink_connect', 'dblink_connect_u', 'dblink_send_query', 'dblink_open',
  'set_config', 'txid_current', 'pg_current_xact_id',
  'query_to_xml', 'query_to_xmlschema', 'query_to_xml_and_xmlschema', 'cursor_to_xml', 'cursor_to_xmlschema',
  'get_lock', 'release_lock', 'release_all_locks', 'sleep', 'benchmark', 'load_file',
  'master_pos_wait', 'source_pos_wait', 'sys_exec', 'sys_eval',
]);

function refuse(reason: string, sql: string, at?: number): never {
  throw new BadInputError('IMPORT_DB_QUERY_REFUSED', `the configured query is refused: ${reason}${at === undefined ? '' : ` (at character ${at + 1})`}; only one read-only SELECT may be configured`, {
    details: { reason, position: at === undefined ? null : at + 1, length: sql.length },
  });
}

const isWordStart = (c: string) => /[A-Za-z_]/.test(c) || c.charCodeAt(0) >= 0x80;
const isWordChar = (c: string) => /[A-Za-z0-9_$]/.test(c) || c.charCodeAt(0) >= 0x80;

/** Splits SQL into tokens the way `dialect`'s server would, skipping comments. */
export function tokenize(sql: string, dialect: SqlDialect): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1] ?? '';
    if (/\s/.test(c)) { i++; continue; }
    if (c === '-' && next === '-' && (dialect === 'pg' || (sql.charCodeAt(i + 2) || 0) <= 0x20)) {
      while (i < n && sql[i] !== '\n') i++;
      continue;
    }
    if (c === '#' && dialect === 'mysql2') {
      while (i < n && sql[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && next === '*') {
      if (dialect === 'mysql2' && (sql[i + 2] === '!' || (sql[i + 2] === 'M' && sql[i + 3] === '!'))) refuse('MySQL executable comments (/*! … */) run as SQL', sql, i);
      i = skipBlockComment(sql, i, dialect);
      continue;
    }
    if (c === "'" || c === '"' || (c === '`' && dialect === 'mysql2')) {
      const end = skipQuoted(sql, i, c);
      tokens.push({ kind: 'quoted', text: sql.slice(i, end), start: i, end });
      i = end;
      continue;
    }
    if (c === '$' && dialect === 'pg') {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 65));
      if (m) {
        const close = sql.indexOf(m[0], i + m[0].length);
        if (close < 0) refuse('an unterminated dollar-quoted string', sql, i);
        const end = close + m[0].length;
        tokens.push({ kind: 'quoted', text: sql.slice(i, end), start: i, end });
        i = end;
        continue;
      }
    }
    if (isWordStart(c)) {
      let j = i + 1;
      while (j < n && isWordChar(sql[j]!)) j++;
      tokens.push({ kind: 'word', text: sql.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    tokens.push({ kind: /[;(),.]/.test(c) ? 'punct' : 'other', text: c, start: i, end: i + 1 });
    i++;
  }
  return tokens;
}

const unquote = (q: string) => q.slice(1, -1).split(q[0]! + q[0]!).join(q[0]!).toLowerCase();

function skipBlockComment(sql: string, start: number, dialect: SqlDialect): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*' && (dialect === 'pg' || depth === 0)) { depth++; i += 2; continue; }
    if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
      continue;
    }
    i++;
  }
  return refuse('an unterminated /* comment', sql, start);
}

function skipQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === '\\' && quote !== '`') refuse('a backslash inside quoted text (whether it escapes depends on a server setting)', sql, i);
    if (c === quote) {
      if (sql[i + 1] === quote) { i += 2; continue; }
      return i + 1;
    }
    i++;
  }
  return refuse(`an unterminated ${quote} quote`, sql, start);
}

/**
 * Checks a configured partner query and returns it without a trailing semicolon or comment.
 * Throws BadInputError `IMPORT_DB_QUERY_REFUSED` naming the first problem and where it is.
 */
export function checkReadOnlyQuery(sql: string, dialect: SqlDialect): string {
  if (sql.includes('\0')) refuse('a NUL byte', sql, sql.indexOf('\0'));
  const tokens = tokenize(sql, dialect);
  let last = tokens.length - 1;
  while (last >= 0 && tokens[last]!.text === ';') last--;
  if (last < 0) refuse('it is empty', sql);
  const body = tokens.slice(0, last + 1);
  const semi = body.find((t) => t.text === ';');
  if (semi) refuse('it holds more than one statement', sql, semi.start);
  const first = body.find((t) => t.text !== '(');
  if (!first || first.kind !== 'word' || !FIRST_WORDS.has(first.text.toLowerCase())) {
    refuse(`it starts with "${first?.text ?? '('}", not SELECT or WITH`, sql, first?.start);
  }
  body.forEach((t, k) => {
    if (t.kind === 'quoted' && body[k + 1]?.text === '(' && SIDE_EFFECT_FUNCTIONS.has(unquote(t.text))) {
      refuse(`the function ${t.text}() has side effects`, sql, t.start);
    }
    if (t.kind !== 'word') return;
    const w = t.text.toLowerCase();
    const after = body[k + 1];
    const before = body[k - 1];
    const isCall = after?.text === '(';
    // A qualified name's later part (`t.update`) is a column, not a keyword.
    const qualified = before?.text === '.';
    if (FORBIDDEN_WORDS.has(w) && !qualified) refuse(`"${t.text}" has no place in a read`, sql, t.start);
    if (isCall && SIDE_EFFECT_FUNCTIONS.has(w)) refuse(`the function ${t.text}() has side effects`, sql, t.start);
    if (w === 'for' && after?.kind === 'word' && /^(share|key|no|update)$/i.test(after.text)) refuse('row locks (FOR UPDATE / FOR SHARE)', sql, t.start);
    if (w === 'next' && after?.text.toLowerCase() === 'value' && body[k + 2]?.text.toLowerCase() === 'for') refuse('NEXT VALUE FOR advances a sequence', sql, t.start);
  });
  return sql.slice(body[0]!.start, body[body.length - 1]!.end);
}
