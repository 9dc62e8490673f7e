// Placeholder: replaced by the issue that builds the `approve` command.
import type { RegisterCommand } from './context';

export const register: RegisterCommand = (program) => {
  program.command('approve').description('(not built yet)').action(() => {
    throw new Error('the approve command is not built yet');
  });
};
