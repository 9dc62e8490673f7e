/**
 * Website → absolute https URL (https:// added when no scheme, host lowercased). Junk and
 * placeholders that slipped through are rejected. Pure (WHATWG URL is a global).
 */
import { ok, reject, type CellIssue, type CellResult } from './field-result';
import { clip } from './normalize-phone';

const HOST = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/;

// The common shape, handled without the URL parser: an optional http(s) scheme, an ASCII host
// name and a plain path (no dot segments, query, fragment or characters URL would escape). The
// unit tests hold it equal to the full path on every shape it accepts.
const SIMPLE = /^(?:(https?):\/\/)?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62})(\/[A-Za-z0-9_~/.-]*)?$/i;

export function normalizeUrl(input: string): CellResult {
  const simple = SIMPLE.exec(input);
  if (simple && simple[2]!.length <= 253 && !/xn--/i.test(simple[2]!) && !(simple[3] && simple[3].includes('/.'))) {
    const path = simple[3] === undefined || simple[3] === '/' ? '' : simple[3];
    return ok(`${simple[1] ? simple[1].toLowerCase() : 'https'}://${simple[2]!.toLowerCase()}${path}`);
  }
  return normalizeUrlFully(input);
}

/** Every other shape, through WHATWG URL. */
export function normalizeUrlFully(input: string): CellResult {
  let text = input.trim();
  const warnings: CellIssue[] = [];
  // "http:www.x.org" → "http://www.x.org"
  if (/^https?:(?!\/\/)/i.test(text)) {
    text = text.replace(/^(https?):\/*/i, '$1://');
    warnings.push({ rule: 'repaired', message: 'added the missing // after the scheme' });
  }
  // A space inside the path is a line-wrap artifact ("…/locations/madison .aspx"): removed.
  const pathStart = text.search(/[^/:]\/(?!\/)/);
  if (pathStart > 0 && !/\s/.test(text.slice(0, pathStart + 1)) && /\s/.test(text.slice(pathStart + 1))) {
    text = text.slice(0, pathStart + 1) + text.slice(pathStart + 1).replace(/\s+/g, '');
    warnings.push({ rule: 'repaired', message: 'removed spaces from the path' });
  }
  if (/\s/.test(text)) return reject('invalid', `not a URL: "${clip(text)}"`);
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text.replace(/^\/+/, '')}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return reject('invalid', `not a URL: "${clip(text)}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return reject('invalid', `not a web URL: "${clip(text)}"`);
  if (url.hostname.endsWith('.')) url.hostname = url.hostname.slice(0, -1);
  if (/^[\d.]+$/.test(url.hostname) || url.hostname.startsWith('[')) return reject('invalid', `an IP address, not a domain: "${clip(text)}"`);
  if (!HOST.test(url.hostname) || url.username || url.password) return reject('invalid', `not a web host: "${clip(text)}"`);
  // url.hostname is already lowercased by WHATWG URL; keep path and query as given.
  const out = url.href.endsWith('/') && url.pathname === '/' && !url.search && !url.hash ? url.href.slice(0, -1) : url.href;
  return ok(out, warnings);
}
