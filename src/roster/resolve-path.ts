/** A csv source's path: a file, a folder (newest .csv/.tsv/.txt wins) or a glob (newest match wins). */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { BadInputError } from '../errors';

export async function resolveCsvPath(p: string): Promise<string> {
  if (isDynamicPattern(p)) return newest(await glob(p, { absolute: true, onlyFiles: true }), p);
  const st = await stat(p).catch(() => null);
  if (!st) throw new BadInputError('IMPORT_FILE_NOT_FOUND', `roster file not found: ${p}`, { details: { path: p } });
  if (st.isDirectory()) {
    const files = await glob(['*.csv', '*.tsv', '*.txt', '*.CSV'], { cwd: p, absolute: true, onlyFiles: true });
    return newest(files, p);
  }
  return p;
}

async function newest(files: string[], pattern: string): Promise<string> {
  if (!files.length) throw new BadInputError('IMPORT_FILE_NOT_FOUND', `no roster file matches ${pattern}`, { details: { path: pattern } });
  const withTimes = await Promise.all(files.map(async (f) => ({ f, t: (await stat(f)).mtimeMs })));
  withTimes.sort((a, b) => b.t - a.t || (a.f < b.f ? 1 : -1));
  return path.resolve(withTimes[0]!.f);
}
