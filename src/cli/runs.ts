// Placeholder: replaced by the issue that builds the `runs` command.
import type { RegisterCommand } from './context';

export const register: RegisterCommand = (program) => {
  program.command('runs').description('(not built yet)').action(() => {
    throw new Error('the runs command is not built yet');
  });
};
