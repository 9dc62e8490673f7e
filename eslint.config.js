import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'coverage/', 'out/', 'tmp/', 'docs/', 'dist/', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
    },
  },
  {
    // Pure files: no I/O imports (STYLE.md §3).
    files: ['src/roster/normalize*.ts', 'src/sync/merge.ts', 'src/sync/guardrails.ts', 'src/updox/classify-reply.ts', 'src/sms/business-details.ts', 'src/reports/render-*.ts',
      'src/simulator/{validate,auth,router,hmac,faults,business-details,prng}.ts', 'src/sync/payload.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['knex', 'bullmq', 'ioredis', 'pino', 'undici', 'node:fs', 'fs', 'pg'] }],
    },
  },
);
