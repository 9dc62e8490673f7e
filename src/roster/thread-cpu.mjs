// The calling thread's CPU time, for the import's threads to report. Plain JavaScript, so that the
// parse thread (which loads no TypeScript) can import it too.
import { readFileSync } from 'node:fs';

/** This thread's CPU seconds (user + system), from /proc on Linux; null elsewhere. */
export function threadCpuSeconds() {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}
