// Entry of the CSV import's worker thread (see csv-import-worker.ts). Plain JavaScript, so that it
// loads under any runner (node, tsx, vitest); it registers tsx for the TypeScript it imports.
import { register } from 'tsx/esm/api';

register();
await import('./csv-import-worker.ts');
