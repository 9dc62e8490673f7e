/** Environment for loadConfig() in tests: loopback services, test credentials, a config file. */
import path from 'node:path';
import { TEST_REDIS_URL } from './redis';

export const TEST_APP_ID = 'test-app';
export const TEST_APP_PASSWORD = 'test-secret-Pa55';
export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');
export const SHARED_REAL = path.resolve(import.meta.dirname, '../../../shared/data/real');

export function testEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    UPDOX_SYNC_CONFIG: path.join(FIXTURES, 'config/test.yaml'),
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/updox_sync_test_template',
    REDIS_URL: TEST_REDIS_URL,
    UPDOX_BASE_URL: 'http://127.0.0.1:1/api/io',
    UPDOX_APPLICATION_ID: TEST_APP_ID,
    UPDOX_APPLICATION_PASSWORD: TEST_APP_PASSWORD,
    LOG_LEVEL: 'silent',
    ...overrides,
  };
}
