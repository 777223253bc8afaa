/* eslint-disable no-control-regex -- these tests look for control characters on purpose */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { marketData, run } from '../support/cli.js';
import { SLOW_TEST_TIMEOUT_MS } from '../support/timeouts.js';

const COMMANDS = [
  ['demo'],
  ['replay'],
  ['generate'],
  ['alerts'],
  ['rules'],
  ['rules', 'list'],
  ['rules', 'set'],
  ['rules', 'delete'],
  ['publish'],
  ['dlq'],
  ['dlq', 'list'],
  ['dlq', 'redrive'],
  ['reset'],
];

/** What a command-line user expects of any tool: help, version, exit codes, colour only where it belongs, safe output. */
describe('market-data follows command-line conventions', { timeout: SLOW_TEST_TIMEOUT_MS }, () => {
  let home: string;
  let env: Record<string, string>;
  // A data folder for each test: what one replays is not in the next one's store.
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'market-data-conventions-'));
    env = { MARKET_DATA_HOME: home, ENVIRONMENT_SUFFIX: 'conv' };
  });
  afterEach(() => rm(home, { recursive: true, force: true }));

  it('--version prints the version; bare market-data prints the help and succeeds; a wrong option is a usage error', async () => {
    const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    expect(await marketData(['--version'], env)).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    const bare = await marketData([], env);
    expect([bare.code, bare.stderr]).toEqual([0, '']);
    expect(bare.stdout).toMatch(/^Usage: market-data \[options\] \[command\]/);
    expect(bare.stdout).toContain('Exit codes: 0 done; 1 failed');
    const wrong = await marketData(['alerts', '--frm', '2026-01-01'], env);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("error: unknown option '--frm'");
  });

  it('every command has examples in its help', async () => {
    for (const command of COMMANDS) {
      const { code, stdout } = await marketData([...command, '--help'], env);
      expect(code).toBe(0);
      expect(stdout, command.join(' ')).toMatch(/\nExamples:\n {2}\$ (npm start|market-data )/);
    }
  });

  it('dates are ISO-8601 in the years 1970-9999, checked before anything runs', async () => {
    for (const bad of ['10000-01-01', '1969-12-31', '2026-02-30', '2026-11-20T14:30:00', 'yesterday']) {
      const { code, stderr } = await marketData(['alerts', '--from', bad], env);
      expect(code, bad).toBe(2);
      expect(stderr, bad).toMatch(/^error: option '--from <time>' argument '.*' is invalid\. /);
    }
    const latest = await marketData(['alerts', '--to', '9999-12-31T23:59:59.999Z'], env);
    expect([latest.code, latest.stderr]).toEqual([0, '']);
  });

  it('replay --strict exits 3 when anything was dead-lettered, and DLQ lines name the file when several are replayed', async () => {
    const a = join(home, 'a.jsonl');
    const b = join(home, 'b.csv');
    await writeFile(a, '{"symbol":"KO","price":61,"timestamp":"2026-11-20T15:00:00Z"}\n{"symbol":"KO","price":-1}\n');
    await writeFile(b, 'symbol,price,timestamp\nKO,61.5,2026-11-20T15:01:00Z\nKO,0,2026-11-20T15:02:00Z\n');
    const strict = await marketData(['replay', a, b, '--strict'], env);
    expect(strict.code).toBe(3);
    expect(strict.stdout).toContain('DLQ   a.jsonl line 2 (tick): price: must be greater than 0');
    expect(strict.stdout).toContain('DLQ   b.csv line 3 (tick): price: must be greater than 0');
    const clean = join(home, 'clean.jsonl');
    await writeFile(clean, '{"symbol":"KO","price":61,"timestamp":"2026-11-20T15:03:00Z"}\n');
    expect((await marketData(['replay', clean, '--strict'], env)).code).toBe(0);
  });

  it('prints text from input data with its control characters made visible', async () => {
    const file = join(home, 'escapes.jsonl');
    await writeFile(
      file,
      `${JSON.stringify({ source: 'market.data', 'detail-type': 'Trade\u001b[2J\u001b]0;owned\u0007\u202e', detail: { symbol: 'KO' } })}\n`,
    );
    const { stdout } = await marketData(['replay', file], env);
    expect(stdout).not.toMatch(/[\u001b\u0007\u202e]/);
    expect(stdout).toContain('detail-type "Trade\\x1b[2J\\x1b]0;owned\\x07\\u202e"');
    const json = await marketData(['replay', file, '--json'], env);
    expect(json.stdout + json.stderr).not.toMatch(/[\u001b\u0007\u202e]/);
    expect(JSON.parse(json.stdout).problems[0].reason).toContain('Trade\u001b[2J');
  });

  it('colours only a terminal, and never with NO_COLOR', async () => {
    const file = join(home, 'alert.jsonl');
    await writeFile(file, '{"symbol":"NVDA","price":160,"timestamp":"2026-11-20T15:00:00Z"}\n');
    const piped = await marketData(['replay', file, '--fresh'], env);
    expect(piped.stdout).toContain('ALERT HIGH  NVDA 160 > 150');
    expect(piped.stdout).not.toContain('\u001b[');
    // A real terminal: `script` runs the command on a pseudo-terminal. Node.js decides colour support from TERM, and
    // treats any terminal as colourless under an unknown CI: both are set for the command alone.
    const command = (colour: string) =>
      `env -u CI -u FORCE_COLOR -u NO_COLOR TERM=xterm-256color ${colour} ${process.execPath} bin/market-data.js replay ${file} --fresh --no-progress`;
    const tty = await run('script', ['-qec', command(''), '/dev/null'], env);
    expect(tty.stdout).toMatch(/\u001b\[31m\u001b\[1mALERT HIGH {2}NVDA 160 > 150/);
    const noColor = await run('script', ['-qec', command('NO_COLOR=1'), '/dev/null'], env);
    expect(noColor.stdout).toContain('ALERT HIGH  NVDA 160 > 150');
    expect(noColor.stdout).not.toContain('\u001b[');
  });

  it('generate --seed gives the same file every time', async () => {
    const [one, two] = [join(home, 'one.csv'), join(home, 'two.csv')];
    for (const out of [one, two]) expect((await marketData(['generate', '-n', '500', '--seed', '7', '-o', out], env)).code).toBe(0);
    expect(await readFile(one, 'utf8')).toBe(await readFile(two, 'utf8'));
    expect((await readFile(one, 'utf8')).split('\n').slice(0, 2)).toEqual([
      'symbol,price,timestamp,volume',
      expect.stringMatching(/^AAPL,\d+\.?\d*,2026-01-05T14:30:00\.000Z,\d+$/),
    ]);
  });
});
