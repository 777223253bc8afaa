import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Terraform on moto_server: its own run after this one (vitest.terraform.config.ts), not beside the other suites.
    exclude: [...configDefaults.exclude, 'test/infra/moto/stack-on-moto.test.ts'],
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
      include: [
        'src/domain/**',
        'src/pipeline/**',
        'src/handlers/**',
        'src/adapters/**',
        // TypeScript only: the report's chart script runs in the browser (test/e2e/backtest-report.test.ts).
        'src/local/**/*.ts',
        'src/app/**',
        'src/cli/**/*.ts',
        'src/shared/**',
      ],
      reporter: ['text-summary', 'text'],
      // Lines, per folder: the alert engine and the functions in full; the rest of the code nearly so (what is left
      // is what only a process shows: signals, closed pipes, a terminal). Spawned commands are not counted.
      thresholds: {
        'src/domain/**': { lines: 100 },
        'src/pipeline/**': { lines: 100 },
        'src/handlers/**': { lines: 100 },
        'src/adapters/**': { lines: 95 },
        'src/local/**': { lines: 95 },
        'src/app/**': { lines: 95 },
        'src/cli/**': { lines: 95 },
        'src/shared/**': { lines: 95 },
      },
    },
  },
});
