/**
 * Where the package is on disk, for both ways it runs: TypeScript through tsx or vitest (this file
 * is src/paths.ts), or compiled into dist/ (this code is inside a bundle there). Files that ship
 * beside the code (migrations, the worker threads, package.json) are found from here.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

/** The folder holding package.json (the repository, or the image's /app). */
export const PACKAGE_ROOT = findPackageRoot(path.dirname(here));
/** True when running the compiled JavaScript of dist/. */
export const COMPILED = !here.endsWith('.ts');
/** The compiled output (`npm run build`). */
export const DIST_DIR = path.join(PACKAGE_ROOT, 'dist');

export const VERSION = (JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
