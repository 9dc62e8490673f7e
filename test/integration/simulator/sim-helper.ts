/**
 * Plain-fetch helpers for the simulator suites (deliberately NOT the project client, so the
 * simulator is tested on its own against the contract).
 */
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../../src/simulator';

export const APP = { applicationId: 'sim-app', applicationPassword: 'sim-Secret-1' };
export const appAuth = { ...APP, accountId: '', userId: '' };
export const acctAuth = (accountId: string) => ({ ...APP, accountId, userId: '' });
export const userAuth = (accountId: string, userId = 'u1') => ({ ...APP, accountId, userId });

export interface Answer { status: number; headers: Headers; text: string; json: Record<string, unknown> | null }

export async function start(opts: Partial<SimulatorOptions> = {}): Promise<RunningSimulator> {
  return startSimulator({ ...APP, port: 0, seed: 1, ...opts });
}

export async function raw(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, init);
  const text = await res.text();
  let json: Record<string, unknown> | null = null;
  try { json = JSON.parse(text) as Record<string, unknown>; } catch { /* non-JSON body */ }
  return { status: res.status, headers: res.headers, text, json };
}

/** POST a JSON body to a contract method: `call(sim, 'PracticeSave/1.1', {...})`. */
export async function call(sim: RunningSimulator, method: string, body: unknown, init: RequestInit = {}): Promise<Answer> {
  return raw(`${sim.baseUrl}/${method}`, {
    method: 'POST', ...init, headers: { 'content-type': 'application/json', ...(init.headers ?? {}) }, body: JSON.stringify(body),
  });
}

/** The envelope code of a contract call. */
export async function code(sim: RunningSimulator, method: string, body: unknown, init: RequestInit = {}): Promise<number> {
  const a = await call(sim, method, body, init);
  return a.json?.responseCode as number;
}

export async function admin(sim: RunningSimulator, path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST'): Promise<Record<string, unknown>> {
  const a = await raw(`${sim.url}/_sim/${path}`, {
    method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  if (a.status !== 200) throw new Error(`/_sim/${path} → ${a.status} ${a.text}`);
  return a.json!;
}

export const complete = (accountId: string, over: Record<string, unknown> = {}) => ({
  accountId, name: `Practice ${accountId}`, address1: '12 Elm Street', city: 'Columbus', state: 'OH', postal: '43215',
  phone: '6145550100', websiteUrl: `https://${accountId}.example`, active: 'true', ...over,
});
