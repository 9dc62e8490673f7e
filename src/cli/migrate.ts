/** `updox-sync migrate`: create the database if needed and run forward-only migrations. */
import type { RegisterCommand } from './context';
import { createKnex, migrateLatest } from '../db/knex';
import { ensureDatabase } from '../db/ensure-database';

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('migrate')
    .description('create the database if it does not exist and apply all migrations')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { json?: boolean }) => {
      const config = ctx.envConfig(); // the database only: no config file needed
      const created = await ensureDatabase(config.databaseUrl);
      const db = createKnex(config.databaseUrl, { min: 0, max: 1 });
      try {
        const applied = await migrateLatest(db);
        if (opts.json) ctx.print(JSON.stringify({ createdDatabase: created, applied }));
        else ctx.print(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'database is up to date');
      } finally {
        await db.destroy();
      }
    });
};
