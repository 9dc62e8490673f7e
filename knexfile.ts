// knex CLI entry. Connection settings come only from loadConfig() (STYLE.md §6).
import { loadEnvConfig } from './src/config';
import { knexConfig } from './src/db/knex';

const config = loadEnvConfig();
export default knexConfig(config.databaseUrl);
