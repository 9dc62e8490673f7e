// Placeholder: replaced by the issue that builds the `sim` command.
import type { RegisterCommand } from './context';

export const register: RegisterCommand = (program) => {
  program.command('sim').description('(not built yet)').action(() => {
    throw new Error('the sim command is not built yet');
  });
};
