import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
    // The suite runs beside the integration tests on a 2-core machine; a test that reads a whole
    // real roster (thousands of rows) can take several seconds there.
    testTimeout: 30_000,
  },
});
