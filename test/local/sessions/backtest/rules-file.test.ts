import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRules, readRulesFile } from '../../../../src/local/sessions/backtest/rules-file.js';

const defaults = { above: 150, below: 50, mode: 'cross' as const };
const parse = (text: string) => parseRules(text, 'rules.json', defaults);

describe('rules files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rules-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads items of the alert-rules table, ignoring the engine state of an export', () => {
    const rules = parse(
      '[{"symbol":"AAPL","above":152,"below":50,"mode":"cross"},{"symbol":"F","below":12},{"symbol":"KO","mode":"every","version":4,"window":"…"}]',
    );
    expect([...rules]).toEqual([
      ['AAPL', { above: 152, below: 50, mode: 'cross' }],
      ['F', { below: 12 }],
      ['KO', { mode: 'every' }],
    ]);
    expect(parse('[]').size).toBe(0);
  });

  it('names the file, the rule and the problem', () => {
    expect(() => parse('{"symbol":"AAPL"')).toThrow(/^rules\.json: not valid JSON \(/);
    expect(() => parse('{"symbol":"AAPL","above":1}')).toThrow(
      'rules.json: must be a JSON array of rules, e.g. [{"symbol":"AAPL","above":152,"below":50,"mode":"cross"}]',
    );
    expect(() => parse('[1]')).toThrow('rules.json: rule 1: must be an object like {"symbol":"AAPL","above":152}');
    expect(() => parse('[{"symbol":"aapl","above":152}]')).toThrow('rules.json: rule 1: symbol: must be 1-16 characters');
    expect(() => parse('[{"symbol":"AAPL","above":-1}]')).toThrow('rules.json: rule 1 (AAPL): above: must be greater than 0');
    expect(() => parse('[{"symbol":"AAPL","above":"152"}]')).toThrow('rules.json: rule 1 (AAPL): above: must be a finite number');
    expect(() => parse('[{"symbol":"AAPL","mode":"sometimes"}]')).toThrow('rules.json: rule 1 (AAPL): mode: must be one of cross, every');
    expect(() => parse('[{"symbol":"AAPL","abvoe":152}]')).toThrow('rules.json: rule 1 (AAPL): Unrecognized key: "abvoe"');
    expect(() => parse('[{"symbol":"AAPL"}]')).toThrow(
      'rules.json: rule 1 (AAPL): sets nothing: give kind, above, below, mode, rearm, level, direction, on and/or until',
    );
    expect(() => parse('[{"symbol":"AAPL","above":152},{"symbol":"AAPL","below":3}]')).toThrow(
      'rules.json: rule 2 (AAPL): AAPL has another rule earlier in the file',
    );
    expect(() => parse('[{"symbol":"AAPL","below":160}]')).toThrow(
      'rules.json: rule 1 (AAPL): below (160) must be less than above (150) (with the default rule 150/50)',
    );
  });

  it('refuses a missing, unreadable or oversized file before reading it', async () => {
    await expect(readRulesFile(join(dir, 'missing.json'), defaults)).rejects.toThrow(`rules file not found: ${join(dir, 'missing.json')}`);
    await expect(readRulesFile(dir, defaults)).rejects.toThrow(`not a file: ${dir}`);
    const file = join(dir, 'rules.json');
    await writeFile(file, '[{"symbol":"MSFT","above":400}]');
    expect([...(await readRulesFile(file, defaults))]).toEqual([['MSFT', { above: 400 }]]);
  });
});
