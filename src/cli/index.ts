/** `updox-sync` entry point: runs the command line, then exits with its code. */
import { main } from './main';

const code = await main(process.argv);
// Give stdout a tick to flush, then exit even if a library left a handle open.
process.stdout.write('', () => process.exit(code));
