import { defineConfig } from 'vitest/config';

// Integration and end-to-end tests: real Postgres, Redis, MariaDB, SMTP and the simulator.
// Each file gets its own database (cloned from a migrated template) and Redis prefix.
export default defineConfig({
  test: {
    include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/helpers/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 3,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
