// Placeholder: replaced by the issue that builds the `upgrade-legacy` command.
import type { RegisterCommand } from './context';

export const register: RegisterCommand = (program) => {
  program.command('upgrade-legacy').description('(not built yet)').action(() => {
    throw new Error('the upgrade-legacy command is not built yet');
  });
};
