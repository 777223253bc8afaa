/** The app entry as `cdktn synth` runs it (cdktf.json): one stack per ENVIRONMENT_SUFFIX. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/shared/project-root.js';
import { bundlesBuilt } from './synth.js';
import { COMMAND_TIMEOUT_MS, SLOW_TEST_TIMEOUT_MS } from '../support/timeouts.js';

const TSX = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');

function runApp(env: Record<string, string>) {
  const outdir = mkdtempSync(join(tmpdir(), 'infra-app-'));
  // From another directory: bundle paths must not depend on the working directory.
  const result = spawnSync(TSX, [join(PROJECT_ROOT, 'src/infra/main.ts')], {
    cwd: tmpdir(),
    env: {
      ...process.env,
      ENVIRONMENT_SUFFIX: '',
      ALERT_THRESHOLD_HIGH: '',
      ALERT_THRESHOLD_LOW: '',
      ALERT_TRIGGER_MODE: '',
      TF_STATE_BUCKET: '',
      TF_STATE_KEY: '',
      TF_STATE_REGION: '',
      TF_STATE_KMS_KEY_ID: '',
      TF_STATE_DYNAMODB_TABLE: '',
      ...env,
      CDKTF_OUTDIR: outdir,
    },
    encoding: 'utf8',
    timeout: COMMAND_TIMEOUT_MS,
  });
  return { ...result, outdir };
}

describe('src/infra/main.ts', { timeout: SLOW_TEST_TIMEOUT_MS }, () => {
  it('reads cdktf.json settings the CLI needs', () => {
    const config = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdktf.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({ language: 'typescript', app: 'npx tsx src/infra/main.ts', output: 'cdktf.out' });
  });

  // `npm test` builds the bundles first; without them the entry fails by design (see config.test.ts).
  it.skipIf(!bundlesBuilt)(
    'synthesizes the dev stack by default with local state, and the pr42 stack for ENVIRONMENT_SUFFIX=pr42 with its state in S3 for TF_STATE_BUCKET',
    () => {
      for (const [env, stack, backend] of [
        [{}, 'market-data-pipeline-dev', { local: { path: '../../../terraform.market-data-pipeline-dev.tfstate' } }],
        [
          { ENVIRONMENT_SUFFIX: 'pr42', AWS_REGION: 'eu-west-1', TF_STATE_BUCKET: 'acme-tfstate' },
          'market-data-pipeline-pr42',
          { s3: { bucket: 'acme-tfstate', key: 'market-data-pipeline-pr42/terraform.tfstate', region: 'eu-west-1', encrypt: true } },
        ],
      ] as const) {
        const { status, stderr, outdir } = runApp(env);
        expect(status, stderr).toBe(0);
        const file = join(outdir, 'stacks', stack, 'cdk.tf.json');
        expect(existsSync(file)).toBe(true);
        const suffix = stack.replace('market-data-pipeline-', '');
        const text = readFileSync(file, 'utf8');
        expect(text).toContain(`"function_name": "data-processor-${suffix}"`);
        expect((JSON.parse(text) as { terraform: { backend: unknown } }).terraform.backend).toEqual(backend);
      }
    },
  );

  it('fails with the reason when the configuration is invalid', () => {
    const { status, stderr } = runApp({ ALERT_TRIGGER_MODE: 'sometimes' });
    expect(status).not.toBe(0);
    expect(stderr).toContain('environment variable ALERT_TRIGGER_MODE must be one of cross, every (got "sometimes")');
    const backend = runApp({ TF_STATE_KMS_KEY_ID: 'alias/tf' });
    expect(backend.status).not.toBe(0);
    expect(backend.stderr).toContain('TF_STATE_KMS_KEY_ID is set but TF_STATE_BUCKET is not');
  });
});
