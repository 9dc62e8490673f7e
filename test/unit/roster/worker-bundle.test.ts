import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundledModule } from '../../../src/roster/worker-bundle';

const ENTRY = new URL('../../fixtures/bundle/entry.ts', import.meta.url);

describe('bundledModule', () => {
  it('bundles a TypeScript module and its relative imports into one plain module that runs without a loader', async () => {
    const url = await bundledModule(ENTRY);
    expect(url.protocol).toBe('file:');
    expect(fileURLToPath(url)).toMatch(/node_modules[\\/]\.cache[\\/]updox-sync[\\/]entry\.[0-9a-f]{16}\.mjs$/);
    const code = await readFile(url, 'utf8');
    expect(code).toContain('n * 2'); // helper.ts inlined
    expect(code).toMatch(/from "zod"/); // packages stay imports, resolved from the project's node_modules
    const mod = (await import(url.href)) as { answer: number; parsed: string };
    expect(mod).toMatchObject({ answer: 42, parsed: 'zod resolved from node_modules' });
  });

  it('builds once per process and names the file by its content', async () => {
    const a = bundledModule(ENTRY);
    expect(bundledModule(ENTRY)).toBe(a);
    const code = await readFile(await a);
    const { createHash } = await import('node:crypto');
    expect((await a).pathname).toContain(`.${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  });
});
