// Placeholder: replaced by the issue that builds the `run` command.
import type { RegisterCommand } from './context';

export const register: RegisterCommand = (program) => {
  program.command('run').description('(not built yet)').action(() => {
    throw new Error('the run command is not built yet');
  });
};
