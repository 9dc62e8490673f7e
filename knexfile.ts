// knex CLI entry. Connection settings come only from loadConfig() (STYLE.md §6).
import { loadConfig } from './src/config';
import { knexConfig } from './src/db/knex';

const config = loadConfig();
export default knexConfig(config.databaseUrl);
