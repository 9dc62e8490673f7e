#!/usr/bin/env node
// Runs the compiled CLI (dist/, from `npm run build`). In a development clone without a build,
// `npm run updox-sync -- <command>` runs the TypeScript through tsx instead.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('error: dist/ is not built: run `npm run build` (or, in development, `npm run updox-sync -- <command>`)\n');
  process.exit(2);
}
await import(entry.href);
