import { configDefaults, defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The stack on real Terraform against moto_server (test/infra/moto/stack-on-moto.test.ts): minutes of apply and
 * destroy that keep both cores busy, so `npm test` runs it after the rest rather than beside it, where it would
 * slow every other suite down. It counts for no coverage: the CLI it drives runs as processes.
 */
export default defineConfig({
  test: {
    ...base.test,
    include: ['test/infra/moto/stack-on-moto.test.ts'],
    exclude: [...configDefaults.exclude],
    coverage: { enabled: false },
  },
});
