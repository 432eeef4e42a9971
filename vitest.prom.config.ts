import { defineConfig } from 'vitest/config';

// Temporary: the shared config's globalSetup and reporter files are still being written.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/prometheus-adapter.test.ts'] } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/prometheus-mesh.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
