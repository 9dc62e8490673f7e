/**
 * The environment side of the configuration: which variable feeds which key of config.ts's
 * `envSchema` (`fromEnv`), and back (`ENV_NAMES`, for error messages and the README check).
 * Reads only the `env` it is given. Pure.
 */
export type Env = Record<string, string | undefined>;

/** Maps environment variables to the schema's shape; the names are documented in README. */
export function fromEnv(env: Env): Record<string, unknown> {
  const v = (k: string) => (env[k] === '' ? undefined : env[k]);
  return {
    configFile: v('UPDOX_SYNC_CONFIG') ?? 'config/example.yaml',
    databaseUrl: v('DATABASE_URL') ?? 'postgres://postgres@127.0.0.1:5432/updox_sync',
    redisUrl: v('REDIS_URL') ?? 'redis://127.0.0.1:6379',
    queuePrefix: v('QUEUE_PREFIX'),
    updox: {
      baseUrl: v('UPDOX_BASE_URL'),
      applicationId: v('UPDOX_APPLICATION_ID'),
      applicationPassword: v('UPDOX_APPLICATION_PASSWORD'),
      hmacSecret: v('UPDOX_HMAC_SECRET'),
      requestsPerSecond: v('UPDOX_REQUESTS_PER_SECOND'),
      maxInFlight: v('UPDOX_MAX_IN_FLIGHT'),
      timeoutMs: v('UPDOX_TIMEOUT_MS'),
      maxRetries: v('UPDOX_MAX_RETRIES'),
      maxListBytes: v('UPDOX_MAX_LIST_BYTES'),
      readShare: v('UPDOX_READ_SHARE'),
      readOnlyPracticeFields: v('UPDOX_READ_ONLY_PRACTICE_FIELDS'),
      notFoundCodes: v('UPDOX_NOT_FOUND_CODES'),
      lostReplyListFallback: v('UPDOX_LOST_REPLY_LIST_FALLBACK'),
      activeFormat: v('UPDOX_ACTIVE_FORMAT'),
      authKeys: v('UPDOX_AUTH_KEYS'),
      pingBody: v('UPDOX_PING_BODY'),
      successRule: v('UPDOX_SUCCESS_RULE'),
    },
    smtp: { url: v('SMTP_URL'), from: v('MAIL_FROM') },
    http: {
      port: v('HTTP_PORT'),
      host: v('HTTP_HOST'),
      webhookSecret: v('WEBHOOK_SECRET'),
      webhookAuth: v('WEBHOOK_AUTH'),
      webhookToleranceSec: v('WEBHOOK_TOLERANCE_SEC'),
      dashboardUser: v('DASHBOARD_USER'),
      dashboardPassword: v('DASHBOARD_PASSWORD'),
    },
    alertWebhookUrl: v('ALERT_WEBHOOK_URL'),
    supervisor: { intervalMs: v('SUPERVISE_EVERY_MS'), handoffMs: v('SUPERVISOR_HANDOFF_MS'), maxTakeovers: v('MAX_TAKEOVERS') },
    metrics: { port: v('METRICS_PORT') },
    log: { level: v('LOG_LEVEL'), pretty: v('LOG_PRETTY') },
  };
}

/** Which env variable feeds each schema path, for error messages. */
export const ENV_NAMES: Record<string, string> = {
  configFile: 'UPDOX_SYNC_CONFIG', databaseUrl: 'DATABASE_URL', redisUrl: 'REDIS_URL', queuePrefix: 'QUEUE_PREFIX',
  'updox.baseUrl': 'UPDOX_BASE_URL', 'updox.applicationId': 'UPDOX_APPLICATION_ID',
  'updox.applicationPassword': 'UPDOX_APPLICATION_PASSWORD', 'updox.hmacSecret': 'UPDOX_HMAC_SECRET',
  'updox.requestsPerSecond': 'UPDOX_REQUESTS_PER_SECOND', 'updox.maxInFlight': 'UPDOX_MAX_IN_FLIGHT',
  'updox.timeoutMs': 'UPDOX_TIMEOUT_MS', 'updox.maxRetries': 'UPDOX_MAX_RETRIES', 'updox.maxListBytes': 'UPDOX_MAX_LIST_BYTES', 'updox.readShare': 'UPDOX_READ_SHARE',
  'updox.readOnlyPracticeFields': 'UPDOX_READ_ONLY_PRACTICE_FIELDS', 'updox.notFoundCodes': 'UPDOX_NOT_FOUND_CODES', 'updox.lostReplyListFallback': 'UPDOX_LOST_REPLY_LIST_FALLBACK',
  'updox.activeFormat': 'UPDOX_ACTIVE_FORMAT', 'updox.authKeys': 'UPDOX_AUTH_KEYS', 'updox.pingBody': 'UPDOX_PING_BODY',
  'updox.successRule': 'UPDOX_SUCCESS_RULE',
  'smtp.url': 'SMTP_URL', 'smtp.from': 'MAIL_FROM', 'http.port': 'HTTP_PORT', 'http.host': 'HTTP_HOST',
  'http.webhookSecret': 'WEBHOOK_SECRET', 'http.webhookAuth': 'WEBHOOK_AUTH', 'http.webhookToleranceSec': 'WEBHOOK_TOLERANCE_SEC',
  'http.dashboardUser': 'DASHBOARD_USER', 'http.dashboardPassword': 'DASHBOARD_PASSWORD',
  'supervisor.intervalMs': 'SUPERVISE_EVERY_MS', 'supervisor.handoffMs': 'SUPERVISOR_HANDOFF_MS', 'supervisor.maxTakeovers': 'MAX_TAKEOVERS',
  alertWebhookUrl: 'ALERT_WEBHOOK_URL', 'metrics.port': 'METRICS_PORT', 'log.level': 'LOG_LEVEL', 'log.pretty': 'LOG_PRETTY',
};
