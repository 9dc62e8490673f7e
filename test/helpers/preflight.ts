/** Run before the integration suite: Postgres and Redis must answer (or be started by docker). */
import { ensureServices, standardTargets } from '../../src/services-check';
import { PG_ADMIN_URL } from './pg';
import { TEST_REDIS_URL } from './redis';

const missing = await ensureServices(standardTargets(PG_ADMIN_URL, TEST_REDIS_URL));
if (missing.length) process.exit(6);
