/** `updox-sync demo` (`npm run demo`): the whole nightly flow against the simulator, with a summary. */
import { demoExitCode, formatDemo, runDemo } from '../demo';
import type { RegisterCommand } from './context';

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('demo')
    .description('migrate, start the Updox simulator, run the nightly flow for the sample roster, print a summary')
    .option('--state-dir <dir>', 'where the simulator\'s memory is kept between demos', 'out/demo')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { stateDir: string; json?: boolean }) => {
      const configFile = program.opts<{ config?: string }>().config;
      const res = await runDemo({ stateDir: opts.stateDir, print: (s) => ctx.print(s), ...(configFile ? { configFile } : {}) });
      ctx.print(opts.json ? JSON.stringify(res) : formatDemo(res));
      process.exitCode = demoExitCode(res);
    });
};
