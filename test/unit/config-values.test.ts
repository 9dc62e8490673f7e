/** Value checks of the configuration (src/config-values.ts), through loadConfig: every problem at once. */
import { describe, expect, it } from 'vitest';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { ConfigError } from '../../src/errors';
import { testEnv } from '../helpers/env';

const dir = mkdtempSync(path.join(tmpdir(), 'cfg-values-'));
let n = 0;
/** Writes a config file with `sources` (YAML flow text) and returns loadConfig's problems. */
function problemsOf(yaml: string, env: Record<string, string> = {}): string[] {
  const file = path.join(dir, `c${n++}.yaml`);
  writeFileSync(file, `partner: { id: p, name: P, businessDetails: {} }\n${yaml}\n`);
  try {
    loadConfig(testEnv({ UPDOX_SYNC_CONFIG: file, ...env }));
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  return [];
}

describe('a db source query is checked when the config loads', () => {
  it('refuses several statements and writes, naming the source and key', () => {
    const p = problemsOf(`sources:
  - { name: a, kind: db, client: pg, urlEnv: A_URL, query: "SELECT 1; DELETE FROM t" }
  - { name: b, kind: db, client: mysql2, urlEnv: B_URL, query: "SELECT * FROM t INTO OUTFILE '/tmp/x'" }
  - { name: c, kind: db, client: pg, urlEnv: C_URL, query: "SELECT * FROM practices" }`);
    expect(p).toHaveLength(2);
    expect(p[0]).toMatch(/sources\.0\.query: the configured query is refused: it holds more than one statement/);
    expect(p[1]).toMatch(/sources\.1\.query: .*"INTO" has no place/);
  });
});
