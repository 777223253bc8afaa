/**
 * Mutation testing (`npm run mutate`): does a test notice when a rule of the code is changed? Incremental, so a
 * run after a small change only tests the mutants it touches; `npm run mutate -- --force` starts over.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts' },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: [
    'src/domain/**/*.ts',
    'src/pipeline/**/*.ts',
    'src/handlers/**/*.ts',
    'src/adapters/**/*.ts',
    'src/infra/**/*.ts',
    '!src/**/index.ts',
    '!src/infra/main.ts',
    // The local deployment runs Terraform and moto_server: its tests take minutes and are not in the mutation run.
    '!src/infra/moto/**',
  ],
  coverageAnalysis: 'perTest',
  ignoreStatic: true,
  incremental: true,
  incrementalFile: 'reports/mutation/incremental.json',
  concurrency: 2,
  timeoutMS: 20_000,
  reporters: ['progress', 'clear-text', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
};
