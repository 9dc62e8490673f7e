/**
 * Configuration: one zod schema, loaded once from the environment and a YAML/JSON config file.
 * This is the only module that reads process.env (callers pass `env` in). Every problem is
 * reported at once, each naming its variable or key. Secrets come only from the environment.
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ENV_NAMES, fromEnv, type Env } from './config-env';
import { unknownKeys } from './config-keys';
import { ConfigError } from './errors';
import { accountIdRefinement, cronRefinement, LIMITS, MAX_TIMER_MS, partnerUrlProblems, SUPERVISOR_DEFAULTS, readOnlyQueryRefinement, timeZoneRefinement, urlWithScheme } from './config-values';

/** Canonical roster fields; a source's column mapping maps these to its headers or columns. */
export const ROSTER_FIELDS = [
  'externalId', 'name', 'address1', 'address2', 'city', 'state', 'postal', 'postalExt', 'country',
  'phone', 'fax', 'websiteUrl', 'alternativeWebsiteUrl', 'websiteAddress', 'timeZone',
  'directDomain', 'directAddress', 'managerEmail', 'active',
] as const;
export type RosterField = (typeof ROSTER_FIELDS)[number];

const email = z.string().trim().toLowerCase().email();
const share = z.coerce.number().min(0).max(1);
const csvList = (item: z.ZodType<string>) => z.union([z.array(item), z.string().transform((v, ctx) => {
  const parts = v.split(',').map((x) => x.trim()).filter(Boolean);
  for (const p of parts) {
    const r = item.safeParse(p);
    if (!r.success) ctx.addIssue({ code: 'custom', message: `"${p}": ${r.error.issues[0]?.message ?? 'invalid'}` });
  }
  return parts;
})]);
const wireKey = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a JSON key of letters, digits or underscores');
const vendorCode = z.string().regex(/^\d{4}$/, 'a 4-digit Updox code');
const boolish = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);

/** field → header (CSV) or column (DB). Unmapped fields are "keep" in the plan. */
const mappingSchema = z.partialRecord(z.enum(ROSTER_FIELDS), z.string().min(1)).optional();

const assignSchema = z
  .discriminatedUnion('by', [
    z.object({ by: z.literal('column') , default: email.optional() }),
    z.object({
      by: z.literal('rules'),
      rules: z.array(z.object({
        manager: email,
        states: z.array(z.string().length(2).toUpperCase()).optional(),
        externalIdPrefix: z.string().optional(),
      })).min(1),
      default: email.optional(),
    }),
    z.object({ by: z.literal('single'), manager: email }),
  ])
  .default({ by: 'column' });

const accountIdSchema = z
  .object({
    prefix: z.string().regex(/^[A-Za-z0-9._-]*$/, 'letters, digits, dot, dash or underscore only').default(''),
    /** Characters allowed in an accountId; others are replaced by `-` and the id gets a hash suffix. */
    charset: z.string().default('A-Za-z0-9._-'),
    maxLength: z.coerce.number().int().min(8).max(255).default(64),
  })
  .superRefine(accountIdRefinement)
  .default({ prefix: '', charset: 'A-Za-z0-9._-', maxLength: 64 });

const commonSource = {
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'letters, digits, dash, underscore'),
  mapping: mappingSchema,
  placeholders: z.array(z.string()).default(['NOT AVAILABLE', 'N/A', 'NA', '<UNAVAIL>', '-', 'NULL', 'NONE']),
  /** When true, a practice we manage that is absent from this roster is deactivated. Off by default. */
  fullRoster: z.boolean().default(false),
  accountId: accountIdSchema,
  /** cron expression for the nightly run (registered by `updox-sync schedule`). */
  schedule: z.string().optional().superRefine(cronRefinement),
  timezone: z.string().default('UTC').superRefine(timeZoneRefinement),
  assign: assignSchema,
  /** A file whose share of invalid rows exceeds this fails the import before anything downstream. */
  maxInvalidShare: share.default(0.5),
  /** Default time zone from the state when the roster has none. */
  timeZoneFromState: z.boolean().default(true),
};

const csvSource = z.object({
  ...commonSource,
  kind: z.literal('csv'),
  /** A file path, or a glob / folder where the newest matching file wins. Relative to the config file (resolved to absolute by loadConfig). */
  path: z.string().min(1),
  encoding: z.enum(['auto', 'utf8', 'windows-1252', 'latin1']).default('auto'),
  delimiter: z.enum(['auto', ',', ';', '\t', '|']).default('auto'),
});

const dbSource = z.object({
  ...commonSource,
  kind: z.literal('db'),
  client: z.enum(['pg', 'mysql2']),
  /** Name of the environment variable holding the connection URL (credentials never in the file). */
  urlEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/),
  query: z.string().optional(),
  table: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]*$/).optional(),
  /** Longest one statement may run on the partner database (Postgres: each FETCH; MySQL/MariaDB: the whole read). */
  statementTimeoutMs: z.coerce.number().int().min(1000).max(2_147_483_647).default(600_000),
  connectTimeoutMs: z.coerce.number().int().min(100).max(600_000).default(15_000),
  /** Attempts of a read that fails transiently (connection dropped, timeout, server restarting), with backoff. */
  attempts: z.coerce.number().int().min(1).max(20).default(4),
  /** First backoff wait; each next one doubles (full jitter), capped at 5 minutes. */
  retryBaseMs: z.coerce.number().int().min(0).max(300_000).default(2000),
}).refine((s) => Boolean(s.query) !== Boolean(s.table), { message: 'give exactly one of query or table' })
  .superRefine(readOnlyQueryRefinement);

export const sourceSchema = z.discriminatedUnion("kind", [csvSource, dbSource]);
export type SourceConfig = z.infer<typeof csvSource> | z.infer<typeof dbSource>;
export type CsvSourceConfig = z.infer<typeof csvSource>;
export type DbSourceConfig = z.infer<typeof dbSource>;

export const fileSchema = z.object({
  partner: z.object({
    id: z.string().min(1),
    name: z.string().min(1),
    /** Partner business details used for SMS verification of indirect accounts (updox-api.md, partner notes). */
    businessDetails: z.object({
      website: z.string().default(''),
      contactFirstName: z.string().default(''),
      contactLastName: z.string().default(''),
      contactEmail: z.string().default(''),
      contactPhone: z.string().default(''),
    }),
  }),
  managers: z.array(z.object({ name: z.string().min(1), email })).default([]),
  /** Receive the partner-wide report. */
  admins: z.array(email).default([]),
  sources: z.array(z.unknown()).min(1),
  guardrails: z.object({
    maxDeactivateShare: share.default(0.05),
    maxChangeShare: share.default(0.25),
    /** Below this many known practices the guardrail does not apply (tiny partners). */
    minKnownPractices: z.coerce.number().int().min(0).default(20),
  }).default({ maxDeactivateShare: 0.05, maxChangeShare: 0.25, minKnownPractices: 20 }),
  sync: z.object({
    conflictPolicy: z.enum(['roster-wins', 'remote-wins']).default('roster-wins'),
    maxAttempts: z.coerce.number().int().min(1).max(50).default(6),
    applyConcurrency: z.coerce.number().int().min(1).max(256).default(16),
  }).default({ conflictPolicy: 'roster-wins', maxAttempts: 6, applyConcurrency: 16 }),
  alerts: z.object({
    /** Alerts by email to `admins` too (needs SMTP_URL). */
    email: z.boolean().default(true),
  }).default({ email: true }),
  staging: z.object({
    /** Imports per source whose staged roster_rows are kept (unfinished runs always keep theirs). */
    keepRuns: z.coerce.number().int().min(1).default(5),
  }).default({ keepRuns: 5 }),
  numbers: z.object({
    pendingBusinessDays: z.coerce.number().int().min(1).default(3),
    /** Extra days off beside the US federal holidays. */
    holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)).default([]),
    /** Count the US federal holidays (date-holidays) as days off. */
    federalHolidays: z.boolean().default(true),
    /** IANA zone business days are counted in; default reports.timeZone, else the first source's timezone, else UTC. */
    timeZone: z.string().optional().superRefine(timeZoneRefinement),
    schedule: z.string().default('0 */6 * * *').superRefine(cronRefinement),
    /** An account with a number in progress (or a failed check) is checked again after this many hours. */
    soonHours: z.coerce.number().min(1).max(168).default(20),
    /** An account whose numbers are all verified is checked again after this many days. */
    verifiedRefreshDays: z.coerce.number().min(1).max(365).default(7),
    /** An account without numbers (or refused by the vendor, 4011) is checked again after this many days. */
    noNumbersRefreshDays: z.coerce.number().min(1).max(365).default(7),
    /** Hours of the night the calls must fit in (the budget's default, plan-night). */
    windowHours: z.coerce.number().min(0.5).max(24).default(6),
    /** SmsSendNumberList calls per pull; default: what the window leaves at the rate after the pending writes. */
    budget: z.coerce.number().int().min(0).optional(),
  }).default({ pendingBusinessDays: 3, holidays: [], federalHolidays: true, schedule: '0 */6 * * *', soonHours: 20, verifiedRefreshDays: 7, noNumbersRefreshDays: 7, windowHours: 6 }),
  reports: z.object({
    period: z.enum(['daily', 'weekly']).default('daily'),
    outDir: z.string().default('out/reports'),
    schedule: z.string().default('0 7 * * *').superRefine(cronRefinement),
    /** IANA zone the report periods and times are in; default the first source's timezone, else UTC. */
    timeZone: z.string().optional().superRefine(timeZoneRefinement),
    /** Whom a manager asks about a practice (shown when there is no portal link); default the first admin. */
    contact: z.string().min(1).optional(),
    /** Where a practice is fixed: a Partner Portal URL with `{accountId}` (an assumption: see docs/vendor-assumptions.md). */
    portalUrl: z.string().regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL').refine((u) => u.includes('{accountId}'), 'must contain {accountId}').optional(),
  }).default({ period: 'daily', outDir: 'out/reports', schedule: '0 7 * * *' }),
});

export const envSchema = z.object({
  configFile: z.string().min(1),
  databaseUrl: z.string().superRefine(urlWithScheme(['postgres', 'postgresql'])),
  redisUrl: z.string().superRefine(urlWithScheme(['redis', 'rediss'])),
  queuePrefix: z.string().regex(/^[A-Za-z0-9:_-]+$/).default('updox-sync'),
  updox: z.object({
    // Required only by the commands that call Updox (requireUpdox, loadConfig's `requires`).
    baseUrl: z.string().optional().superRefine(urlWithScheme(['https', 'http'])),
    applicationId: z.string().min(1).optional(),
    applicationPassword: z.string().min(1).optional(),
    /** Optional HMAC layer secret (updox-api.md §1.3). */
    hmacSecret: z.string().optional(),
    requestsPerSecond: z.coerce.number().min(LIMITS.requestsPerSecond.min).max(LIMITS.requestsPerSecond.max).default(5),
    maxInFlight: z.coerce.number().int().min(LIMITS.maxInFlight.min).max(LIMITS.maxInFlight.max).default(8),
    timeoutMs: z.coerce.number().int().min(LIMITS.timeoutMs.min).max(LIMITS.timeoutMs.max).default(30_000),
    maxRetries: z.coerce.number().int().min(LIMITS.maxRetries.min).max(LIMITS.maxRetries.max).default(5),
    /** Largest PracticeList reply read (streamed, so memory does not grow with it); 2 GiB ≈ 4.5M practices. */
    maxListBytes: z.coerce.number().int().min(1024).default(2 * 1024 ** 3),
    /** Share of the global rate number polling keeps while writes are queued (writes go first). */
    readShare: z.coerce.number().min(0.01).max(1).default(0.2),
    /**
     * Vendor-behaviour assumptions (docs/vendor-assumptions.md). Practice fields Updox reports but
     * a save must not carry back (default: vetted, a status Updox sets).
     */
    readOnlyPracticeFields: csvList(wireKey).default(['vetted']),
    /** PracticeGet codes that mean "no such practice" (a lost create then is re-sent). */
    notFoundCodes: csvList(vendorCode).transform((l) => l.map(Number)).default([4131, 4011]),
    /** When PracticeGet is inconclusive about a lost write, ask PracticeList (one call shared by a burst). */
    lostReplyListFallback: boolish.default(true),
    /** How `active` goes on the wire in a write: a JSON boolean ([S23]) or "true"/"false" (the wiki's samples). */
    activeFormat: z.enum(['boolean', 'string']).default('boolean'),
    /** Which auth keys a request carries: only those its level uses ([S23]) or all four, empty ones as "" (the wiki's samples). */
    authKeys: z.enum(['used', 'all']).default('used'),
    /** Ping's body: `{"auth":{}}` ([S23]) or `{}`. */
    pingBody: z.enum(['empty-auth', 'empty']).default('empty-auth'),
    /** `both`: a reply whose successful and responseCode disagree is a bad reply; `code`: responseCode alone decides. */
    successRule: z.enum(['both', 'code']).default('both'),
  }),
  smtp: z.object({
    url: z.string().optional().superRefine(urlWithScheme(['smtp', 'smtps'])),
    from: z.string().default('updox-sync <no-reply@localhost>'),
  }),
  http: z.object({
    port: z.coerce.number().int().min(0).max(65535).default(8080),
    host: z.string().default('127.0.0.1'),
    webhookSecret: z.string().optional(),
    /** How the verification webhook authenticates: HMAC signature (default) or a bearer secret. */
    webhookAuth: z.enum(['hmac', 'bearer']).optional(),
    /** Maximum age of a webhook timestamp before it is refused as stale. */
    webhookToleranceSec: z.coerce.number().int().min(LIMITS.webhookToleranceSec.min).max(LIMITS.webhookToleranceSec.max).default(300),
    dashboardUser: z.string().optional(),
    dashboardPassword: z.string().optional(),
  }),
  alertWebhookUrl: z.string().url().optional(),
  /** Each worker's supervisor (jobs/supervisor.ts); `worker`'s flags override these. */
  supervisor: z.object({
    intervalMs: z.coerce.number().int().min(10).max(MAX_TIMER_MS).default(SUPERVISOR_DEFAULTS.intervalMs),
    handoffMs: z.coerce.number().int().min(10).max(MAX_TIMER_MS).default(SUPERVISOR_DEFAULTS.handoffMs),
    maxTakeovers: z.coerce.number().int().min(LIMITS.takeovers.min).max(LIMITS.takeovers.max).default(SUPERVISOR_DEFAULTS.maxTakeovers),
  }),
  metrics: z.object({
    /** A worker's metrics port (GET /metrics); unset: none. Binds HTTP_HOST. */
    port: z.coerce.number().int().min(0).max(65535).optional(),
  }),
  log: z.object({
    level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    pretty: boolish.default(false),
  }),
});

export type FileConfig = Omit<z.infer<typeof fileSchema>, 'sources'> & { sources: SourceConfig[] };
export type Config = z.infer<typeof envSchema> & FileConfig & { configDir: string };
/** The Updox settings as loaded: the endpoint and credentials may be unset. */
export type UpdoxSettings = Config['updox'];
/** The Updox settings of a command that calls Updox: endpoint and credentials set. */
export type UpdoxConfig = UpdoxSettings & { baseUrl: string; applicationId: string; applicationPassword: string };

/** What a command may need beyond the always-defaulted settings (src/cli/needs.ts says which). */
export type Requirement = 'updox';

const UPDOX_REQUIRED = ['baseUrl', 'applicationId', 'applicationPassword'] as const;

/** Problems for the settings a requirement needs and that are unset, each naming who needs it. */
export function missingSettings(config: Pick<Config, 'updox'>, requires: readonly Requirement[], command?: string): string[] {
  if (!requires.includes('updox')) return [];
  const who = command ? `\`updox-sync ${command}\` calls Updox` : 'calling Updox needs it';
  return UPDOX_REQUIRED.filter((k) => !config.updox[k]).map((k) => `${ENV_NAMES[`updox.${k}`]}: required but not set (${who})`);
}

/** The Updox settings with endpoint and credentials checked; throws ConfigError naming what is unset. */
export function requireUpdox(settings: UpdoxSettings, command?: string): UpdoxConfig {
  const problems = missingSettings({ updox: settings }, ['updox'], command);
  if (problems.length) throw new ConfigError(problems);
  return settings as UpdoxConfig;
}

export const ENV_VARIABLES = ENV_NAMES;
export { fromEnv };

function issuesToProblems(issues: readonly z.core.$ZodIssue[], describe: (p: string) => string): string[] {
  // Unknown keys are named by unknownFileKeys, with a did-you-mean.
  return issues.filter((i) => i.code !== 'unrecognized_keys').map((i) => {
    const p = i.path.map(String).join('.');
    const message = /received undefined/.test(i.message) ? 'required but not set' : i.message;
    return `${describe(p)}: ${message}`;
  });
}

/** Reads and validates the config file; returns problems instead of throwing so all are reported at once. */
export function parseConfigFile(file: string): { value?: FileConfig; problems: string[] } {
  if (!existsSync(file)) return { problems: [`UPDOX_SYNC_CONFIG: config file not found: ${file}`] };
  let raw: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    return { problems: [`${file}: cannot parse: ${(err as Error).message}`] };
  }
  const res = fileSchema.safeParse(raw);
  const problems: string[] = unknownFileKeys(raw).map((p) => `${file}: ${p}`);
  if (!res.success) problems.push(...issuesToProblems(res.error.issues, (p) => `${file}: ${p || '(root)'}`));
  const sources: SourceConfig[] = [];
  const rawSources = (raw as { sources?: unknown })?.sources;
  if (Array.isArray(rawSources)) {
    rawSources.forEach((s, i) => {
      const r = sourceSchema.safeParse(s);
      if (r.success) sources.push(r.data as SourceConfig);
      else problems.push(...issuesToProblems(r.error.issues, (p) => `${file}: sources.${i}${p ? '.' + p : ''}`));
    });
    const names = sources.map((s) => s.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) problems.push(`${file}: sources: duplicate source name "${dup}"`);
  }
  if (problems.length || !res.success) return { problems };
  return { value: { ...res.data, sources }, problems };
}

/** Keys of the config file no schema knows (a typo is an error, not a silent default). */
export function unknownFileKeys(raw: unknown): string[] {
  const top = unknownKeys(raw, fileSchema);
  const sources = (raw as { sources?: unknown })?.sources;
  return Array.isArray(sources) ? [...top, ...sources.flatMap((s, i) => unknownKeys(s, sourceSchema, `sources.${i}`))] : top;
}

/**
 * Load, validate and freeze the configuration. Throws ConfigError listing every problem.
 * `overrides` lets the demo and tests set values without touching process.env.
 */
export interface LoadOptions {
  /** What the command needs beyond the defaults; an unset required setting is a problem. */
  requires?: readonly Requirement[];
  /** The command, named in those problems. */
  command?: string;
}

export function loadConfig(env: Env = process.env, overrides: Env = {}, opts: LoadOptions = {}): Readonly<Config> {
  const merged = { ...env, ...overrides };
  const envRes = envSchema.safeParse(fromEnv(merged));
  const problems: string[] = [];
  if (!envRes.success) {
    problems.push(...issuesToProblems(envRes.error.issues, (p) => ENV_NAMES[p] ?? p));
  } else {
    problems.push(...missingSettings(envRes.data, opts.requires ?? [], opts.command));
  }
  const configFile = path.resolve(merged.UPDOX_SYNC_CONFIG || 'config/example.yaml');
  const file = parseConfigFile(configFile);
  problems.push(...file.problems);
  if (file.value) problems.push(...partnerUrlProblems(file.value.sources, merged));
  if (problems.length || !envRes.success || !file.value) throw new ConfigError(problems);
  const configDir = path.dirname(configFile);
  // Paths in the config file are relative to the file itself, so it can be run from anywhere.
  const sources = file.value.sources.map((s) => (s.kind === 'csv' ? { ...s, path: path.resolve(configDir, s.path) } : s));
  const reports = { ...file.value.reports, outDir: path.resolve(configDir, file.value.reports.outDir) };
  const config: Config = { ...envRes.data, ...file.value, sources, reports, configFile, configDir };
  return deepFreeze(config);
}

/** The environment part only (no config file): for the commands that need no partner settings (`migrate`). */
export type EnvConfig = z.infer<typeof envSchema>;
export function loadEnvConfig(env: Env = process.env, overrides: Env = {}): Readonly<EnvConfig> {
  const res = envSchema.safeParse(fromEnv({ ...env, ...overrides }));
  if (!res.success) throw new ConfigError(issuesToProblems(res.error.issues, (p) => ENV_NAMES[p] ?? p));
  return deepFreeze(res.data);
}

/** Reads a partner-DB URL from the environment variable a db source names. */
export function sourceDbUrl(source: DbSourceConfig, env: Env = process.env): string {
  const url = env[source.urlEnv];
  if (!url) throw new ConfigError([`${source.urlEnv}: not set (source "${source.name}" reads its connection URL from it)`]);
  const problems = partnerUrlProblems([source], env);
  if (problems.length) throw new ConfigError(problems);
  return url;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as Record<string, unknown>)) deepFreeze(v);
  }
  return o;
}
