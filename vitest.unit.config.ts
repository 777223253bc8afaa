import { configDefaults, defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The quick loop (`npm run test:unit`, `npm run test:watch`): the suites that run the code in process, in seconds.
 * Left out: the end-to-end suites (`npm start` and other processes), the synthesized stack (test/infra), the scripts,
 * and the suites of the built bundles, which run dist/ as only `npm run build` leaves it. `npm test` runs them all.
 * The lists replace the base config's (mergeConfig would append to them).
 */
export default defineConfig({
  test: {
    ...base.test,
    include: ['test/{domain,pipeline,resources,adapters,handlers,app,cli,local}/**/*.test.ts'],
    exclude: [...configDefaults.exclude, 'test/handlers/bundles.test.ts', 'test/handlers/tracing.test.ts'],
    coverage: { enabled: false },
  },
});
