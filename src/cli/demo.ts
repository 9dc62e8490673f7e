/**
 * `updox-sync demo` (`npm run demo`): the whole nightly flow against the simulator, with a summary.
 * It runs in its own world (src/demo-setup.ts): its own database, queue prefix and the bundled
 * config, .eml files and never SMTP, whatever .env says, and says so when it starts.
 */
import path from 'node:path';
import { demoExitCode, formatDemo, runDemo } from '../demo';
import { demoSetup } from '../demo-setup';
import type { RegisterCommand } from './context';

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('demo')
    .description('start the Updox simulator and run the nightly flow for the bundled sample roster in a database and queues of its own, then print a summary')
    .option('--state-dir <dir>', 'where the simulator\'s memory, the demo\'s config and its reports are kept between demos', 'out/demo')
    .option('--json', 'print the result as JSON (progress goes to stderr)')
    .action(async (opts: { stateDir: string; json?: boolean }) => {
      // With --json, stdout carries only the result.
      const say = (s: string) => (opts.json ? void process.stderr.write(`${s}\n`) : ctx.print(s));
      const stateDir = path.resolve(opts.stateDir);
      const setup = demoSetup(process.env, stateDir);
      say(setup.notice);
      if (program.opts<{ config?: string }>().config) say('  (--config is not used by the demo: it always runs the bundled config)');
      const res = await runDemo({ stateDir, print: say, env: setup.env });
      ctx.print(opts.json ? JSON.stringify(res) : formatDemo(res));
      process.exitCode = demoExitCode(res);
    });
};
