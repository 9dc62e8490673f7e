// `npm run build`: compiles the TypeScript into plain ES modules in dist/ with esbuild (already the
// compiler tsx runs on, so the output matches what development runs). Each entry is one bundle of
// our code; packages stay imports resolved from node_modules (--omit=dev is enough to run dist/).
//   dist/cli.js                 the CLI (bin/updox-sync.mjs), every command, the jobs and workers
//   dist/main.js                the same CLI as a module exporting main(argv, io), without running it
//   dist/csv-import-worker.js   the CSV import's format thread
//   dist/csv-parse-worker.mjs   the CSV import's parse thread
//   dist/migrations/*.js        the knex migrations, one module each (knex lists and loads them)
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist');
rmSync(dist, { recursive: true, force: true });

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
};
const migrations = readdirSync(path.join(root, 'migrations')).filter((f) => /^\d+_.+\.ts$/.test(f));

const started = Date.now();
await Promise.all([
  build({ ...common, entryPoints: { cli: 'src/cli/index.ts', main: 'src/cli/main.ts', 'csv-import-worker': 'src/roster/csv-import-worker.ts' }, outdir: dist }),
  build({ ...common, entryPoints: ['src/roster/csv-parse-worker.mjs'], outdir: dist, outExtension: { '.js': '.mjs' } }),
  build({ ...common, entryPoints: migrations.map((f) => `migrations/${f}`), outdir: path.join(dist, 'migrations') }),
]);
console.error(`built dist/ in ${Date.now() - started} ms: cli.js, main.js, csv-import-worker.js, csv-parse-worker.mjs, ${migrations.length} migrations`);
