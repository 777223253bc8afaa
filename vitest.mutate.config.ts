import { configDefaults, defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The suites that exercise the mutated modules in process. Suites that run built bundles or spawn the CLI cannot
 * see a mutant (they run dist/ or another process), so they would only slow every mutant down. The lists replace
 * the base config's (mergeConfig would append to them, and bring the end-to-end suites back).
 */
export default defineConfig({
  test: {
    ...base.test,
    include: [
      'test/domain/**/*.test.ts',
      'test/pipeline/**/*.test.ts',
      'test/handlers/**/*.test.ts',
      'test/adapters/**/*.test.ts',
      'test/infra/**/*.test.ts',
    ],
    exclude: [
      ...configDefaults.exclude,
      'test/handlers/bundles.test.ts',
      'test/handlers/tracing.test.ts',
      'test/infra/require-terraform.test.ts',
      // Terraform and moto_server, minutes per run; src/infra/moto is not mutated.
      'test/infra/moto/**',
    ],
    coverage: { enabled: false },
  },
});
