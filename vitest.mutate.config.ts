import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The suites that exercise the mutated modules in process. Suites that run built bundles or spawn the CLI cannot
 * see a mutant (they run dist/ or another process), so they would only slow every mutant down.
 */
export default mergeConfig(
  base,
  defineConfig({
    test: {
      include: ['test/domain/**/*.test.ts', 'test/pipeline/**/*.test.ts', 'test/handlers/**/*.test.ts', 'test/adapters/**/*.test.ts', 'test/infra/**/*.test.ts'],
      exclude: ['test/handlers/bundles.test.ts', 'test/handlers/tracing.test.ts', 'test/infra/require-terraform.test.ts'],
      coverage: { enabled: false },
    },
  }),
);
