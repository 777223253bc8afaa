/** Where the synthesized stack keeps its state: the backend block, for the local file and for S3. */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stackConfigFrom } from '../../src/infra/config.js';
import type { Env } from '../../src/resources/index.js';
import { PROJECT_ROOT } from '../../src/shared/project-root.js';
import { synthesize, synthesizeInMemory, type Synthesized } from './synth.js';

describe('local state', () => {
  let dev: Synthesized;
  // Written to disk as `cdktn synth` does (manifest, stack folder, assets): slow on a busy machine, so once.
  beforeAll(() => {
    dev = synthesize({ environmentSuffix: 'dev' });
  }, 180_000);

  it('is the project-root file of the environment, named relative to the stack folder', () => {
    expect(dev.json.terraform.backend).toEqual({ local: { path: '../../../terraform.market-data-pipeline-dev.tfstate' } });
    expect(synthesizeInMemory({ environmentSuffix: 'pr42' }).json.terraform.backend).toEqual({
      local: { path: '../../../terraform.market-data-pipeline-pr42.tfstate' },
    });
  });

  it('resolves from the folder cdktn runs Terraform in to the file beside the output folder', () => {
    const outdir = dirname(dirname(dev.stackDir));
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
      stacks: Record<string, { workingDirectory: string }>;
    };
    const { workingDirectory } = manifest.stacks['market-data-pipeline-dev']!;
    expect(workingDirectory).toBe('stacks/market-data-pipeline-dev');
    const path = dev.json.terraform.backend!.local!.path as string;
    expect(resolve(outdir, workingDirectory, path)).toBe(join(dirname(outdir), 'terraform.market-data-pipeline-dev.tfstate'));
  });

  it('names no checkout: the synthesized JSON holds no absolute path of the project', () => {
    expect(isAbsolute(dev.json.terraform.backend!.local!.path as string)).toBe(false);
    expect(readFileSync(join(dev.stackDir, 'cdk.tf.json'), 'utf8')).not.toContain(PROJECT_ROOT.replace(/\/$/, ''));
  });
});

describe('S3 state (TF_STATE_BUCKET)', () => {
  const backendOf = (env: Env) => {
    const config = stackConfigFrom(env);
    return synthesizeInMemory({ environmentSuffix: config.environmentSuffix, region: config.region, stateBackend: config.stateBackend }).json
      .terraform.backend;
  };

  it('keeps each environment under its own key in the bucket, in the stack region, encrypted', () => {
    expect(backendOf({ ENVIRONMENT_SUFFIX: 'pr42', AWS_REGION: 'eu-west-1', TF_STATE_BUCKET: 'acme-tfstate' })).toEqual({
      s3: { bucket: 'acme-tfstate', key: 'market-data-pipeline-pr42/terraform.tfstate', region: 'eu-west-1', encrypt: true },
    });
  });

  it('encrypts with the given KMS key and locks with the given DynamoDB table', () => {
    expect(
      backendOf({
        TF_STATE_BUCKET: 'acme-tfstate',
        TF_STATE_KEY: 'trading/market-data-dev.tfstate',
        TF_STATE_REGION: 'us-west-2',
        TF_STATE_KMS_KEY_ID: 'arn:aws:kms:us-west-2:111122223333:key/0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b',
        TF_STATE_DYNAMODB_TABLE: 'terraform-locks',
      }),
    ).toEqual({
      s3: {
        bucket: 'acme-tfstate',
        key: 'trading/market-data-dev.tfstate',
        region: 'us-west-2',
        encrypt: true,
        kms_key_id: 'arn:aws:kms:us-west-2:111122223333:key/0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b',
        dynamodb_table: 'terraform-locks',
      },
    });
  });

  it('never sets use_lockfile (DESIGN §2), with or without a lock table', () => {
    for (const env of [{ TF_STATE_BUCKET: 'acme-tfstate' }, { TF_STATE_BUCKET: 'acme-tfstate', TF_STATE_DYNAMODB_TABLE: 'terraform-locks' }]) {
      expect(backendOf(env)!.s3).not.toHaveProperty('use_lockfile');
    }
  });
});
