import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdktn';
import { describe, expect, it } from 'vitest';
import { defaultAlertRuleJson, stackConfigFrom, stackTags, stateBackendFrom } from '../../src/infra/config.js';
import { MarketDataStack } from '../../src/infra/stack.js';

describe('stackConfigFrom', () => {
  it('defaults to dev in us-east-1 with the default alert rule', () => {
    expect(stackConfigFrom({})).toEqual({
      environmentSuffix: 'dev',
      region: 'us-east-1',
      alerting: { above: 150, below: 50, mode: 'cross' },
      stateBackend: { kind: 'local' },
    });
  });

  it('reads the suffix, region, thresholds and trigger mode from the environment', () => {
    expect(
      stackConfigFrom({
        ENVIRONMENT_SUFFIX: 'pr42',
        AWS_REGION: 'eu-west-1',
        ALERT_THRESHOLD_HIGH: '180.5',
        ALERT_THRESHOLD_LOW: '40',
        ALERT_TRIGGER_MODE: 'every',
      }),
    ).toEqual({
      environmentSuffix: 'pr42',
      region: 'eu-west-1',
      alerting: { above: 180.5, below: 40, mode: 'every' },
      stateBackend: { kind: 'local' },
    });
  });

  it.each([
    [
      { ENVIRONMENT_SUFFIX: 'PR_42' },
      'ENVIRONMENT_SUFFIX "PR_42" is invalid: use 1-20 lowercase letters, digits or hyphens, starting with a letter or digit',
    ],
    [{ ALERT_THRESHOLD_HIGH: 'high' }, 'environment variable ALERT_THRESHOLD_HIGH must be a finite number (got "high")'],
    [{ ALERT_THRESHOLD_LOW: '-1' }, 'environment variable ALERT_THRESHOLD_LOW must be greater than 0 (got "-1")'],
    [{ ALERT_THRESHOLD_HIGH: '40', ALERT_THRESHOLD_LOW: '50' }, 'ALERT_THRESHOLD_LOW (50) must be less than ALERT_THRESHOLD_HIGH (40)'],
    [{ ALERT_TRIGGER_MODE: 'sometimes' }, 'environment variable ALERT_TRIGGER_MODE must be one of cross, every (got "sometimes")'],
  ])('fails the synth on %j', (env, message) => {
    expect(() => stackConfigFrom(env)).toThrow(new Error(message));
  });
});

describe('stateBackendFrom (TF_STATE_*)', () => {
  const id = 'market-data-pipeline-pr42';

  it('keeps the state local unless TF_STATE_BUCKET is set; blank counts as unset', () => {
    expect(stateBackendFrom({}, id, 'eu-west-1')).toEqual({ kind: 'local' });
    expect(stateBackendFrom({ TF_STATE_BUCKET: '  ' }, id, 'eu-west-1')).toEqual({ kind: 'local' });
  });

  it("stores it in S3 under the stack's own key, in the stack's region, encrypted", () => {
    expect(stackConfigFrom({ ENVIRONMENT_SUFFIX: 'pr42', AWS_REGION: 'eu-west-1', TF_STATE_BUCKET: 'acme-tfstate' }).stateBackend).toEqual({
      kind: 's3',
      bucket: 'acme-tfstate',
      key: 'market-data-pipeline-pr42/terraform.tfstate',
      region: 'eu-west-1',
    });
  });

  it('takes the key, region, KMS key and DynamoDB lock table from the environment', () => {
    expect(
      stateBackendFrom(
        {
          TF_STATE_BUCKET: ' acme.tf-state.prod ',
          TF_STATE_KEY: 'trading/market-data/pr42.tfstate',
          TF_STATE_REGION: 'us-gov-west-1',
          TF_STATE_KMS_KEY_ID: 'arn:aws:kms:us-gov-west-1:111122223333:key/0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b',
          TF_STATE_DYNAMODB_TABLE: 'terraform-locks',
        },
        id,
        'eu-west-1',
      ),
    ).toEqual({
      kind: 's3',
      bucket: 'acme.tf-state.prod',
      key: 'trading/market-data/pr42.tfstate',
      region: 'us-gov-west-1',
      kmsKeyId: 'arn:aws:kms:us-gov-west-1:111122223333:key/0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b',
      dynamodbTable: 'terraform-locks',
    });
  });

  it("takes a key of up to S3's 1024 characters", () => {
    const key = `${'k'.repeat(1016)}.tfstate`;
    expect(stateBackendFrom({ TF_STATE_BUCKET: 'acme-tfstate', TF_STATE_KEY: key }, id, 'eu-west-1')).toMatchObject({ key });
    expect(() => stateBackendFrom({ TF_STATE_BUCKET: 'acme-tfstate', TF_STATE_KEY: `k${key}` }, id, 'eu-west-1')).toThrow(
      /^TF_STATE_KEY "k+\.tfstate" is invalid: use an S3 object key of at most 1024 characters/,
    );
  });

  it.each([
    '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b',
    'mrk-0123456789abcdef0123456789abcdef',
    'alias/terraform-state',
    'alias/aws/s3',
    'arn:aws:kms:eu-west-1:111122223333:alias/terraform-state',
    'arn:aws-cn:kms:cn-north-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef',
  ])('accepts the KMS key %s', (kmsKeyId) => {
    expect(stateBackendFrom({ TF_STATE_BUCKET: 'acme-tfstate', TF_STATE_KMS_KEY_ID: kmsKeyId }, id, 'eu-west-1')).toMatchObject({ kmsKeyId });
  });

  it.each([
    [
      { TF_STATE_KEY: 'state.tfstate' },
      'TF_STATE_KEY is set but TF_STATE_BUCKET is not: set TF_STATE_BUCKET to keep the state in S3, or unset TF_STATE_KEY to keep it in a local file',
    ],
    [
      { TF_STATE_REGION: 'eu-west-1', TF_STATE_KMS_KEY_ID: 'alias/tf', TF_STATE_DYNAMODB_TABLE: 'locks' },
      'TF_STATE_REGION, TF_STATE_KMS_KEY_ID, TF_STATE_DYNAMODB_TABLE are set but TF_STATE_BUCKET is not: set TF_STATE_BUCKET to keep the state in S3, or unset TF_STATE_REGION, TF_STATE_KMS_KEY_ID, TF_STATE_DYNAMODB_TABLE to keep it in a local file',
    ],
    [
      { TF_STATE_BUCKET: 'Acme_State' },
      'TF_STATE_BUCKET "Acme_State" is invalid: use an S3 bucket name: 3-63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit',
    ],
    [
      { TF_STATE_BUCKET: 's3://acme-tfstate' },
      'TF_STATE_BUCKET "s3://acme-tfstate" is invalid: use an S3 bucket name: 3-63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit',
    ],
    [
      { TF_STATE_BUCKET: 'acme..state' },
      'TF_STATE_BUCKET "acme..state" is invalid: use an S3 bucket name: 3-63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit',
    ],
    [
      { TF_STATE_BUCKET: '192.168.10.20' },
      'TF_STATE_BUCKET "192.168.10.20" is invalid: use an S3 bucket name: 3-63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit',
    ],
    [
      { TF_STATE_BUCKET: 'acme-tfstate', TF_STATE_KEY: '/market-data.tfstate' },
      'TF_STATE_KEY "/market-data.tfstate" is invalid: use an S3 object key of at most 1024 characters, without a leading or trailing slash or an empty segment (//)',
    ],
    [
      { TF_STATE_BUCKET: 'acme-tfstate', TF_STATE_KEY: 'market-data//pr42' },
      'TF_STATE_KEY "market-data//pr42" is invalid: use an S3 object key of at most 1024 characters, without a leading or trailing slash or an empty segment (//)',
    ],
    [
      { TF_STATE_BUCKET: 'acme-tfstate', TF_STATE_REGION: 'Ireland' },
      'TF_STATE_REGION "Ireland" is invalid: use an AWS region code such as eu-west-1',
    ],
    [
      { TF_STATE_BUCKET: 'acme-tfstate', TF_STATE_KMS_KEY_ID: 'terraform-state' },
      'TF_STATE_KMS_KEY_ID "terraform-state" is invalid: use a KMS key id, key ARN, alias (alias/...) or alias ARN',
    ],
    [
      { TF_STATE_BUCKET: 'acme-tfstate', TF_STATE_KMS_KEY_ID: 'arn:aws:s3:::acme-tfstate' },
      'TF_STATE_KMS_KEY_ID "arn:aws:s3:::acme-tfstate" is invalid: use a KMS key id, key ARN, alias (alias/...) or alias ARN',
    ],
    [
      { TF_STATE_BUCKET: 'acme-tfstate', TF_STATE_DYNAMODB_TABLE: 'tf locks' },
      'TF_STATE_DYNAMODB_TABLE "tf locks" is invalid: use a DynamoDB table name: 3-255 letters, digits, underscores, hyphens or dots',
    ],
  ])('fails the synth on %j', (env, message) => {
    expect(() => stateBackendFrom(env, id, 'eu-west-1')).toThrow(new Error(message));
  });

  it('fails stackConfigFrom too: the one parser of the synth', () => {
    expect(() => stackConfigFrom({ TF_STATE_BUCKET: 'acme-tfstate', TF_STATE_REGION: 'EU' })).toThrow(
      'TF_STATE_REGION "EU" is invalid: use an AWS region code such as eu-west-1',
    );
  });
});

describe('defaultAlertRuleJson', () => {
  it('is the rule as JSON with the keys of a per-symbol override', () => {
    expect(defaultAlertRuleJson({ mode: 'every', below: 20, above: 180.5 })).toBe('{"above":180.5,"below":20,"mode":"every"}');
    expect(defaultAlertRuleJson({ mode: 'cross', below: 20, above: 180.5, rearm: 0.25 })).toBe(
      '{"above":180.5,"below":20,"mode":"cross","rearm":0.25}',
    );
  });
});

describe('stackTags', () => {
  it('tags with the environment, team and cost center', () => {
    expect(stackTags('pr42')).toEqual({ Environment: 'pr42', Team: 'trading', CostCenter: 'trading-platform' });
  });
});

describe('bundles', () => {
  it('tells the user to run npm run build when a handler bundle is missing', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'infra-nobundle-')) });
    const empty = mkdtempSync(join(tmpdir(), 'infra-empty-'));
    expect(() => new MarketDataStack(app, 'missing', { environmentSuffix: 'dev', region: 'us-east-1', bundleRoot: empty })).toThrow(
      /dist\/lambda\/data-processor\/index\.mjs is missing: run `npm run build`/,
    );
  });
});
