import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Handler and adapter suites each start their own dynalite; keep the 2-core machine from oversubscribing.
    maxWorkers: 2,
    env: {
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
      CHECKPOINT_DISABLE: '1',
    },
    coverage: {
      provider: 'v8',
      include: ['src/domain/**', 'src/pipeline/**', 'src/handlers/**'],
      reporter: ['text-summary', 'text'],
      thresholds: { lines: 100 },
    },
  },
});
