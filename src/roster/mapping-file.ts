/** Reads a column-mapping file (YAML or JSON): `field: header` pairs, optionally under `mapping:`. */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ROSTER_FIELDS, type RosterField } from '../config';
import { BadInputError } from '../errors';
import { assertRegularFile } from '../safe-files';

export async function loadMappingFile(file: string): Promise<Partial<Record<RosterField, string>>> {
  await assertRegularFile(file, 'IMPORT_MAPPING_NOT_FOUND', 'mapping file').catch((err: BadInputError) => {
    throw err.details.kind ? new BadInputError('IMPORT_MAPPING_INVALID', err.message, { details: err.details }) : err;
  });
  let raw: unknown;
  try {
    const text = await readFile(file, 'utf8');
    raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'IMPORT_MAPPING_NOT_FOUND' : 'IMPORT_MAPPING_INVALID';
    throw new BadInputError(code, `cannot read mapping file ${file}: ${(err as Error).message}`, { details: { file }, cause: err });
  }
  const body = raw && typeof raw === 'object' && 'mapping' in raw ? (raw as { mapping: unknown }).mapping : raw;
  const res = z.record(z.string(), z.coerce.string().min(1)).safeParse(body);
  const problems = res.success
    ? Object.keys(res.data).filter((k) => !(ROSTER_FIELDS as readonly string[]).includes(k)).map((k) => `${k}: not a roster field`)
    : res.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  if (!res.success || problems.length) {
    throw new BadInputError('IMPORT_MAPPING_INVALID', `invalid mapping file ${file}: ${problems.join('; ')}; fields are ${ROSTER_FIELDS.join(', ')}`, { details: { file } });
  }
  return res.data as Partial<Record<RosterField, string>>;
}
