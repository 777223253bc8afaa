import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdktn';
import { describe, expect, it } from 'vitest';
import { defaultAlertRuleJson, stackConfigFrom, stackTags } from '../../src/infra/config.js';
import { MarketDataStack } from '../../src/infra/stack.js';

describe('stackConfigFrom', () => {
  it('defaults to dev in us-east-1 with the default alert rule', () => {
    expect(stackConfigFrom({})).toEqual({
      environmentSuffix: 'dev',
      region: 'us-east-1',
      alerting: { above: 150, below: 50, mode: 'cross' },
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
    ).toEqual({ environmentSuffix: 'pr42', region: 'eu-west-1', alerting: { above: 180.5, below: 40, mode: 'every' } });
  });

  it.each([
    [
      { ENVIRONMENT_SUFFIX: 'PR_42' },
      'ENVIRONMENT_SUFFIX "PR_42" is invalid: use 1-20 lowercase letters, digits or hyphens, starting with a letter or digit',
    ],
    [{ ALERT_THRESHOLD_HIGH: 'high' }, 'environment variable ALERT_THRESHOLD_HIGH must be a positive number (got "high")'],
    [{ ALERT_THRESHOLD_LOW: '-1' }, 'environment variable ALERT_THRESHOLD_LOW must be a positive number (got "-1")'],
    [{ ALERT_THRESHOLD_HIGH: '40', ALERT_THRESHOLD_LOW: '50' }, 'ALERT_THRESHOLD_LOW (50) must be less than ALERT_THRESHOLD_HIGH (40)'],
    [{ ALERT_TRIGGER_MODE: 'sometimes' }, 'environment variable ALERT_TRIGGER_MODE must be one of cross, every (got "sometimes")'],
  ])('fails the synth on %j', (env, message) => {
    expect(() => stackConfigFrom(env)).toThrow(new Error(message));
  });
});

describe('defaultAlertRuleJson', () => {
  it('is the rule as JSON with the keys of a per-symbol override', () => {
    expect(defaultAlertRuleJson({ mode: 'every', below: 20, above: 180.5 })).toBe('{"above":180.5,"below":20,"mode":"every"}');
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
