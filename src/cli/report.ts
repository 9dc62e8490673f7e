// Placeholder: replaced by the issue that builds the `report` command.
import type { RegisterCommand } from './context';

export const register: RegisterCommand = (program) => {
  program.command('report').description('(not built yet)').action(() => {
    throw new Error('the report command is not built yet');
  });
};
