/** README's configuration table and .env.example name every environment variable the schema reads. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENV_VARIABLES } from '../../src/config';

const ROOT = path.resolve(import.meta.dirname, '../..');
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const envExample = readFileSync(path.join(ROOT, '.env.example'), 'utf8');
const variables = [...new Set(Object.values(ENV_VARIABLES))];

describe('configuration docs', () => {
  it.each(variables)('README documents %s', (name) => {
    expect(readme).toContain(`\`${name}\``);
  });
  it.each(variables)('.env.example lists %s', (name) => {
    expect(envExample).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
  });
});
