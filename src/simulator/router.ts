/**
 * Which request is which: contract paths `/api/io/{Method}[/{version}]` and `/io/{Method}[/{version}]`
 * (A1: both bases, method names case-insensitive, optional version segment), the admin paths under
 * `/_sim/`, and everything else. Pure.
 */

export type AuthLevel = 'none' | 'application' | 'account' | 'user';

export interface MethodSpec {
  /** Canonical name, as counters and docs spell it. */
  name: string;
  level: AuthLevel;
  /** Version segments this method accepts besides none (A1). */
  versions: readonly string[];
}

const spec = (name: string, level: AuthLevel, versions: readonly string[] = []): MethodSpec => ({ name, level, versions });

/** updox-api.md §1.2 level table; SmsSend and SmsSendNumberList levels are A9/A10. */
export const METHODS: readonly MethodSpec[] = [
  spec('Ping', 'none'),
  spec('PingWithApplicationAuth', 'application'),
  spec('PingWithAccountAuth', 'account'),
  spec('PingWithAuth', 'user'),
  spec('PracticeCreate', 'application', ['1.1']),
  spec('PracticeUpdate', 'application', ['1.1']),
  spec('PracticeSave', 'application', ['1.1']),
  spec('PracticeGet', 'application'),
  spec('PracticeList', 'application'),
  spec('SmsSendNumberList', 'account'),
  spec('SmsSend', 'user'),
  spec('PatientDirectMessageSend', 'user'),
  spec('WebHookEventList', 'application'),
];

const BY_LOWER = new Map(METHODS.map((m) => [m.name.toLowerCase(), m]));

/** The canonical name of a method given in any case, or null when the simulator does not serve it. */
export const canonicalMethod = (name: string): MethodSpec | null => BY_LOWER.get(name.toLowerCase()) ?? null;

export type Route =
  | { kind: 'contract'; method: MethodSpec; version: string | null }
  | { kind: 'unknown-method'; name: string }
  | { kind: 'unknown-version'; method: MethodSpec; version: string }
  | { kind: 'admin'; path: string }
  | { kind: 'not-found' };

const CONTRACT = /^\/(?:api\/)?io\/([^/]+)(?:\/([^/]+))?\/?$/i;

export function route(url: string): Route {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (path === '/_sim' || path.startsWith('/_sim/')) return { kind: 'admin', path };
  const m = CONTRACT.exec(path);
  if (!m) return { kind: 'not-found' };
  const name = decodeURIComponent(m[1]!);
  const method = canonicalMethod(name);
  if (!method) return { kind: 'unknown-method', name };
  const version = m[2] === undefined ? null : decodeURIComponent(m[2]);
  if (version !== null && !method.versions.includes(version)) return { kind: 'unknown-version', method, version };
  return { kind: 'contract', method, version };
}
