import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ALERT_RULE,
  defaultAlertRuleFrom,
  environmentSuffixFrom,
  positiveNumberVariable,
  regionFrom,
  requiredVariable,
  wholeNumberVariable,
} from '../../src/resources/index.js';

describe('defaultAlertRuleFrom', () => {
  it("is HIGH above 150, LOW below 50, cross mode when nothing is set (the source documents' values)", () => {
    expect(defaultAlertRuleFrom({})).toEqual({ above: 150, below: 50, mode: 'cross' });
    expect(DEFAULT_ALERT_RULE).toEqual({ above: 150, below: 50, mode: 'cross' });
  });

  it('reads ALERT_THRESHOLD_HIGH, ALERT_THRESHOLD_LOW and ALERT_TRIGGER_MODE, ignoring surrounding blanks', () => {
    expect(defaultAlertRuleFrom({ ALERT_THRESHOLD_HIGH: ' 180.5 ', ALERT_THRESHOLD_LOW: '0.25', ALERT_TRIGGER_MODE: ' every ' })).toEqual({
      above: 180.5,
      below: 0.25,
      mode: 'every',
    });
  });

  it('keeps each default a blank variable leaves unset', () => {
    expect(defaultAlertRuleFrom({ ALERT_THRESHOLD_HIGH: '', ALERT_THRESHOLD_LOW: '  ', ALERT_TRIGGER_MODE: '' })).toEqual({
      above: 150,
      below: 50,
      mode: 'cross',
    });
    expect(defaultAlertRuleFrom({ ALERT_THRESHOLD_LOW: '149.99' })).toEqual({ above: 150, below: 149.99, mode: 'cross' });
  });

  it.each([
    [{ ALERT_THRESHOLD_HIGH: 'high' }, 'environment variable ALERT_THRESHOLD_HIGH must be a finite number (got "high")'],
    [{ ALERT_THRESHOLD_HIGH: '0' }, 'environment variable ALERT_THRESHOLD_HIGH must be greater than 0 (got "0")'],
    [{ ALERT_THRESHOLD_HIGH: 'Infinity' }, 'environment variable ALERT_THRESHOLD_HIGH must be a finite number (got "Infinity")'],
    [{ ALERT_THRESHOLD_LOW: '-1' }, 'environment variable ALERT_THRESHOLD_LOW must be greater than 0 (got "-1")'],
    // A threshold is a price: the same range as validation's, as in every other place a rule is written.
    [{ ALERT_THRESHOLD_HIGH: '5e9' }, 'environment variable ALERT_THRESHOLD_HIGH must be at most 1000000000 (got "5e9")'],
    [{ ALERT_THRESHOLD_LOW: '1e-13' }, 'environment variable ALERT_THRESHOLD_LOW must be at least 1e-12 (got "1e-13")'],
    [{ ALERT_THRESHOLD_HIGH: '40', ALERT_THRESHOLD_LOW: '50' }, 'ALERT_THRESHOLD_LOW (50) must be less than ALERT_THRESHOLD_HIGH (40)'],
    [{ ALERT_THRESHOLD_LOW: '150' }, 'ALERT_THRESHOLD_LOW (150) must be less than ALERT_THRESHOLD_HIGH (150)'],
    [{ ALERT_TRIGGER_MODE: 'sometimes' }, 'environment variable ALERT_TRIGGER_MODE must be one of cross, every (got "sometimes")'],
    [{ ALERT_TRIGGER_MODE: 'Cross' }, 'environment variable ALERT_TRIGGER_MODE must be one of cross, every (got "Cross")'],
  ])('refuses %j: %s', (env, message) => {
    expect(() => defaultAlertRuleFrom(env)).toThrow(new Error(message));
  });
});

describe('number and required variables', () => {
  it('parses a positive number, or falls back when unset or blank', () => {
    expect(positiveNumberVariable({ N: '2.5' }, 'N', 7)).toBe(2.5);
    expect(positiveNumberVariable({}, 'N', 7)).toBe(7);
    expect(positiveNumberVariable({ N: ' ' }, 'N', 7)).toBe(7);
    expect(() => positiveNumberVariable({ N: '-0.5' }, 'N', 7)).toThrow(new Error('environment variable N must be a positive number (got "-0.5")'));
  });

  it('parses a whole number', () => {
    expect(wholeNumberVariable({ N: '64' }, 'N', 256)).toBe(64);
    expect(wholeNumberVariable({}, 'N', 256)).toBe(256);
    expect(() => wholeNumberVariable({ N: ' 2.5 ' }, 'N', 256)).toThrow(new Error('environment variable N must be a whole number (got "2.5")'));
  });

  it('requires a variable to be set to something other than blanks', () => {
    expect(requiredVariable({ TABLE: ' market-alerts-dev ' }, 'TABLE')).toBe('market-alerts-dev');
    expect(() => requiredVariable({ TABLE: '  ' }, 'TABLE')).toThrow(new Error('missing required environment variable TABLE'));
    expect(() => requiredVariable({}, 'TABLE')).toThrow(new Error('missing required environment variable TABLE'));
  });
});

describe('environment suffix and region', () => {
  it('defaults to dev in us-east-1', () => {
    expect(environmentSuffixFrom({})).toBe('dev');
    expect(regionFrom({})).toBe('us-east-1');
  });

  it('reads ENVIRONMENT_SUFFIX, then AWS_REGION before AWS_DEFAULT_REGION', () => {
    expect(environmentSuffixFrom({ ENVIRONMENT_SUFFIX: ' pr-42 ' })).toBe('pr-42');
    expect(environmentSuffixFrom({ ENVIRONMENT_SUFFIX: 'a'.repeat(20) })).toBe('a'.repeat(20));
    expect(regionFrom({ AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-west-2' })).toBe('eu-west-1');
    expect(regionFrom({ AWS_REGION: ' ', AWS_DEFAULT_REGION: ' us-west-2 ' })).toBe('us-west-2');
    expect(regionFrom({ AWS_REGION: ' eu-central-1 ' })).toBe('eu-central-1');
  });

  it.each(['PR42', 'pr_42', '-pr42', 'a'.repeat(21)])('refuses the suffix %s, saying what a suffix may hold', (suffix) => {
    expect(() => environmentSuffixFrom({ ENVIRONMENT_SUFFIX: suffix })).toThrow(
      new Error(`ENVIRONMENT_SUFFIX "${suffix}" is invalid: use 1-20 lowercase letters, digits or hyphens, starting with a letter or digit`),
    );
  });
});
