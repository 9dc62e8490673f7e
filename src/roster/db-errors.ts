/**
 * What a partner-database failure means: transient (the connection dropped, the server is
 * restarting, a timeout, too many connections, a deadlock: retried with backoff) or bad input
 * (the query, a table, the credentials: fails the import, named). Pure.
 */
import { BadInputError, RetryableError, type SyncError } from '../errors';

/** Node socket errors and driver codes of a connection that went away or never came. */
const NETWORK = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED',
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_SERVER_SHUTDOWN', 'ER_CON_COUNT_ERROR', 'ER_TOO_MANY_USER_CONNECTIONS',
]);
/** Postgres SQLSTATEs and MySQL codes of a transient server condition. */
const TRANSIENT_SERVER = new Set([
  '57P01', '57P02', '57P03', '53300', '40001', '40P01', '55P03',
  'ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT',
]);
const TIMEOUT = new Set(['57014', 'ER_STATEMENT_TIMEOUT', 'ER_QUERY_TIMEOUT', 'ER_QUERY_INTERRUPTED']);
const TABLE_MISSING = new Set(['42P01', 'ER_NO_SUCH_TABLE', '3F000', 'ER_BAD_DB_ERROR', '3D000']);
const AUTH = new Set(['28P01', '28000', 'ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR']);
const READ_ONLY = new Set(['25006', 'ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION']);
/** Messages of pg's own connection errors, which carry no code. */
const DROPPED = /Connection terminated|connection (was )?(closed|lost)|server closed the connection|timeout exceeded when trying to connect|Query read timeout/i;

export interface DbErrorContext {
  source: string;
  /** "the configured query" or "table X". */
  what: string;
}

/** Classifies any error thrown by pg or mysql2 while connecting or reading. */
export function classifyDbError(err: unknown, ctx: DbErrorContext): SyncError {
  const e = (err ?? {}) as { code?: string; errno?: number; message?: string };
  const code = e.code ?? '';
  const message = e.message ?? String(err);
  const details = { source: ctx.source, dbCode: code || null };
  const sqlstateClass08 = /^08[0-9A-Z]{3}$/.test(code);
  if (NETWORK.has(code) || sqlstateClass08 || (!code && DROPPED.test(message))) {
    return new RetryableError('IMPORT_DB_UNREACHABLE', `source "${ctx.source}": the partner database connection failed or dropped (${code || message})`, { cause: err, details });
  }
  if (TIMEOUT.has(code) || e.errno === 1969 || e.errno === 3024) {
    return new RetryableError('IMPORT_DB_TIMEOUT', `source "${ctx.source}": ${ctx.what} ran past the statement timeout (${code})`, { cause: err, details });
  }
  if (TRANSIENT_SERVER.has(code)) {
    return new RetryableError('IMPORT_DB_BUSY', `source "${ctx.source}": the partner database was briefly unavailable (${code}: ${message})`, { cause: err, details });
  }
  if (AUTH.has(code)) {
    return new BadInputError('IMPORT_DB_AUTH_FAILED', `source "${ctx.source}": the partner database refused the credentials (${code})`, { cause: err, details });
  }
  if (TABLE_MISSING.has(code) || e.errno === 1146) {
    return new BadInputError('IMPORT_DB_TABLE_MISSING', `source "${ctx.source}": ${ctx.what} refers to a table or database that does not exist: ${message}`, { cause: err, details });
  }
  if (READ_ONLY.has(code)) {
    return new BadInputError('IMPORT_DB_QUERY_REFUSED', `source "${ctx.source}": ${ctx.what} tried to write, and the read-only transaction refused it: ${message}`, { cause: err, details });
  }
  if (code === '42601' && /multiple commands/i.test(message)) {
    return new BadInputError('IMPORT_DB_QUERY_REFUSED', `source "${ctx.source}": ${ctx.what} holds more than one statement: ${message}`, { cause: err, details });
  }
  return new BadInputError('IMPORT_DB_QUERY_FAILED', `source "${ctx.source}": ${ctx.what} failed: ${message}`, { cause: err, details });
}
