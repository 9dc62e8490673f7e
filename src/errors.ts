/**
 * The three kinds of failure (STYLE.md §5). Every error we raise is a SyncError with a stable
 * `code` (listed in README "Error codes"), so callers, logs and exit codes can branch on it.
 * This file is pure and dependency-free.
 */
export type ErrorKind = 'retryable' | 'permanent' | 'bad-input';

export interface SyncErrorOptions {
  cause?: unknown;
  retryAfterMs?: number;
  halt?: boolean;
  /** Structured context (file, row, field, vendor code…). Never put secrets here. */
  details?: Record<string, unknown>;
}

export class SyncError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly retryAfterMs: number | undefined;
  readonly halt: boolean;
  readonly details: Record<string, unknown>;

  constructor(kind: ErrorKind, code: string, message: string, opts: SyncErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.kind = kind;
    this.code = code;
    this.retryAfterMs = opts.retryAfterMs;
    this.halt = opts.halt ?? false;
    this.details = opts.details ?? {};
  }
}

/** Try again later: network faults, 5xx, throttling, serialization failures. */
export class RetryableError extends SyncError {
  constructor(code: string, message: string, opts: SyncErrorOptions = {}) {
    super('retryable', code, message, opts);
  }
}

/** The vendor refused the data, or credentials/activation are wrong (`halt`). Do not retry. */
export class PermanentError extends SyncError {
  constructor(code: string, message: string, opts: SyncErrorOptions = {}) {
    super('permanent', code, message, opts);
  }
}

/** Our input is wrong: a file, a row, a config value, a job payload. Do not retry. */
export class BadInputError extends SyncError {
  constructor(code: string, message: string, opts: SyncErrorOptions = {}) {
    super('bad-input', code, message, opts);
  }
}

/** Invalid configuration: every problem at once, each naming its variable or key. */
export class ConfigError extends BadInputError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super('CONFIG_INVALID', `invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

/** Turn any thrown value into an Error exactly once, at a boundary (graphile `coerceError`). */
export function coerceError(err: unknown): Error {
  if (err instanceof Error) return err;
  if (typeof err === 'string') return new Error(err);
  try {
    return new Error(JSON.stringify(err));
  } catch {
    return new Error(String(err));
  }
}

/** Exit codes used by the CLI (documented in README). */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  badInput: 3,
  held: 4,
  halted: 5,
  servicesMissing: 6,
} as const;
