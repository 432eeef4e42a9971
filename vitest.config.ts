import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          globalSetup: ['test/support/build-cli.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/build-cli.ts', 'test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          // A page or a stack under load can take more than expect.poll's default second.
          expect: { poll: { timeout: 10_000 } },
        },
      },
    ],
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
