/**
 * The effective configuration as `updox-sync config` prints it: every value as loaded (defaults
 * filled in, paths resolved), with each secret replaced by "***" and URLs keeping everything but
 * their password. Pure: no I/O.
 */
import type { Config } from './config';

export const MASK = '***';

/** A URL with its password (and a bare secret user) masked; a value that is not a URL stays as is. */
export function maskUrl(url: string | undefined): string | undefined {
  if (!url) return url;
  try {
    const u = new URL(url);
    if (u.password) u.password = MASK;
    return u.toString();
  } catch {
    return MASK; // unparsable: it might be all secret
  }
}

const secret = (v: string | undefined) => (v ? MASK : undefined);

/**
 * `config` with secrets masked. `env` tells, for each database source, whether the variable named
 * by its `urlEnv` is set (its value, a URL with credentials, is never shown).
 */
export function maskedConfig(config: Readonly<Config>, env: Record<string, string | undefined>): Record<string, unknown> {
  return {
    ...config,
    databaseUrl: maskUrl(config.databaseUrl),
    redisUrl: maskUrl(config.redisUrl),
    // A Slack-style webhook URL is itself the secret: only its host is shown.
    alertWebhookUrl: config.alertWebhookUrl ? `${new URL(config.alertWebhookUrl).origin}/${MASK}` : undefined,
    updox: { ...config.updox, applicationPassword: secret(config.updox.applicationPassword), hmacSecret: secret(config.updox.hmacSecret) },
    smtp: { ...config.smtp, url: maskUrl(config.smtp.url) },
    http: { ...config.http, webhookSecret: secret(config.http.webhookSecret), dashboardPassword: secret(config.http.dashboardPassword) },
    sources: config.sources.map((s) => (s.kind === 'db' ? { ...s, urlEnvSet: Boolean(env[s.urlEnv]) } : s)),
  };
}
