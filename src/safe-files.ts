/**
 * Files we read and write on a user's behalf. An input must be a regular file: a FIFO would block
 * the read forever, a device or a directory is no roster. An output (`--errors`, `--csv`) never
 * replaces one of the command's inputs (same path, symlink or hard link), goes to a temporary
 * file beside the target and is renamed over it only once complete, and its folder must exist.
 */
import { randomBytes } from 'node:crypto';
import { rename, stat, unlink } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { BadInputError } from './errors';

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  return 'not a regular file';
}

/**
 * Throws `code` unless `file` is a regular file (symlinks are followed). Checked with stat, which
 * never blocks, before anything opens the file.
 */
export async function assertRegularFile(file: string, code: string, what: string): Promise<Stats> {
  const st = await stat(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw new BadInputError(code === 'IMPORT_NOT_A_FILE' ? 'IMPORT_FILE_NOT_FOUND' : code, `${what} not found: ${file}`, { details: { path: file }, cause: err });
    throw new BadInputError(code, `cannot read ${what} ${file}: ${err.code ?? err.message}`, { details: { path: file }, cause: err });
  });
  if (!st.isFile()) throw new BadInputError(code, `${what} ${file} is ${kindOf(st)}, not a regular file`, { details: { path: file, kind: kindOf(st) } });
  return st;
}

/**
 * Checks where an output may go, before any work: its folder exists, it is not one of `inputs`,
 * and if it exists it is a regular file. Returns the absolute target.
 */
export async function checkOutputTarget(target: string, inputs: readonly (string | undefined)[], flag: string): Promise<string> {
  const abs = path.resolve(target);
  const dir = path.dirname(abs);
  const dirSt = await stat(dir).catch(() => null);
  if (!dirSt) throw new BadInputError('OUTPUT_DIR_MISSING', `${flag} ${abs}: the folder ${dir} does not exist`, { details: { path: abs, dir } });
  if (!dirSt.isDirectory()) throw new BadInputError('OUTPUT_DIR_MISSING', `${flag} ${abs}: ${dir} is not a folder`, { details: { path: abs, dir } });
  const st = await stat(abs).catch(() => null);
  if (!st) return abs;
  if (!st.isFile()) throw new BadInputError('OUTPUT_NOT_A_FILE', `${flag} ${abs} is ${kindOf(st)}; give a file path`, { details: { path: abs } });
  for (const input of inputs) {
    if (!input) continue;
    const inSt = await stat(input).catch(() => null);
    if (inSt && inSt.dev === st.dev && inSt.ino === st.ino) {
      throw new BadInputError('OUTPUT_IS_INPUT', `${flag} ${abs} is an input of this command (${path.resolve(input)}); it would be overwritten`, { details: { path: abs, input: path.resolve(input) } });
    }
  }
  return abs;
}

/**
 * Writes an output through `write(tmpPath)` and renames it over `target` once `write` resolved;
 * a failure removes the temporary file and leaves any previous `target` as it was.
 */
export async function writeOutputFile<T>(target: string, inputs: readonly (string | undefined)[], flag: string, write: (tmp: string) => Promise<T>): Promise<T> {
  const abs = await checkOutputTarget(target, inputs, flag);
  const tmp = path.join(path.dirname(abs), `.${path.basename(abs)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const result = await write(tmp);
    await rename(tmp, abs);
    return result;
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}

/** An output folder given on the command line (`--out DIR`) must exist and be a folder. */
export async function assertOutputDir(dir: string, flag: string): Promise<string> {
  const abs = path.resolve(dir);
  const st = await stat(abs).catch(() => null);
  if (!st) throw new BadInputError('OUTPUT_DIR_MISSING', `${flag} ${abs}: the folder does not exist`, { details: { dir: abs } });
  if (!st.isDirectory()) throw new BadInputError('OUTPUT_DIR_MISSING', `${flag} ${abs} is ${kindOf(st)}, not a folder`, { details: { dir: abs } });
  return abs;
}
