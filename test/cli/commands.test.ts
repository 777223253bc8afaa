import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processIO } from '../../src/cli/io.js';
import { startFakeAwsJson, type FakeAwsJson } from '../support/aws-json-fake.js';
import { marketData, marketDataAtTerminal } from '../support/cli.js';
import { SLOW_TEST_TIMEOUT_MS } from '../support/timeouts.js';

/**
 * The commands run in this process (runCli with captured output), on a local data folder of their own: whole
 * commands, the demo among them, with the embedded store, seconds of work each.
 */
describe('market-data commands, in process', { timeout: SLOW_TEST_TIMEOUT_MS }, () => {
  let home: string;
  let env: Record<string, string>;
  const file = (name: string) => join(home, name);

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'market-data-commands-'));
    env = { MARKET_DATA_HOME: home, ENVIRONMENT_SUFFIX: 'cmd' };
  });
  afterAll(() => rm(home, { recursive: true, force: true }));

  it('the process itself is the default input and output', () => {
    expect(processIO()).toEqual({ stdout: process.stdout, stderr: process.stderr, stdin: process.stdin });
  });

  it('demo: the header, the alerts and the summary; --quiet leaves out the alerts, --json prints the summary alone', async () => {
    const text = await marketData(['demo'], env);
    expect([text.code, text.stderr]).toEqual([0, '']);
    expect(text.stdout).toMatch(/^market data pipeline, demo run \(environment cmd, data in \S+\/cmd\/demo, apart from what replay keeps\)\n/);
    expect(text.stdout).toContain('replaying src/local/sample/session.jsonl afresh');
    expect(text.stdout).toMatch(/^ALERT HIGH {2}MSFT /m);
    expect(text.stdout).toContain('ticks in       294 (288 processed, 6 to the DLQ)');
    expect(text.stdout).toContain('late ticks     0 (beyond the lateness horizon: acknowledged, not applied)');
    expect(text.stdout).toMatch(/change a rule and run again: npx market-data rules set AAPL --above 152, then npm start\n$/);
    const quiet = await marketData(['demo', '-q'], env);
    expect(quiet.stdout).not.toMatch(/^ALERT /m);
    expect(quiet.stdout).toMatch(/^DLQ {3}line 64 \(tick\)/m);
    const json = await marketData(['demo', '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({
      environment: 'cmd',
      ticks: { in: 294, processed: 288, deadLettered: 6, late: 0 },
      marketEvents: { late: 0 },
    });
    expect(json.stderr).toMatch(/^DLQ {3}line 64 \(tick\)/m);
  });

  it('replay --progress draws a bar over each file on stderr and names the file of each problem', async () => {
    await writeFile(file('one.jsonl'), '{"symbol":"KO","price":61,"timestamp":"2026-11-20T15:00:00Z"}\n{"symbol":"KO","price":0}\n');
    await writeFile(file('two.csv'), 'symbol,price,timestamp\nKO,62,2026-11-20T15:01:00Z\n');
    const run = await marketData(['replay', file('one.jsonl'), file('two.csv'), '--progress'], env);
    expect(run.code).toBe(0);
    // The bar is on stderr, and the lines printed while it runs go there too, so that it is never torn.
    expect(run.stderr).toContain('one.jsonl [');
    expect(run.stderr).toContain('two.csv [');
    expect(run.stderr).toContain('DLQ   one.jsonl line 2 (tick): price: must be greater than 0');
    expect(run.stdout).toMatch(/^\nSummary \(environment cmd\)\n {2}ticks in {7}3 \(2 processed, 1 to the DLQ\)\n/);
    const fresh = await marketData(['replay', file('one.jsonl'), '--fresh', '--aws'], { ...env, AWS_REGION: 'us-east-1' });
    expect([fresh.code, fresh.stderr]).toEqual([1, 'error: --fresh clears the embedded store only; it is not for a deployed environment\n']);
  });

  it('rules: list shows overrides, ignored ones with the reason; set and delete check what they are given', async () => {
    expect((await marketData(['rules', 'set', 'KO', '--above', '62', '--mode', 'every'], env)).stdout).toBe(
      'KO: above 62, below 50, mode every (takes effect with the next batch)\n',
    );
    const json = JSON.parse((await marketData(['rules', 'set', 'F', '--below', '45', '--json'], env)).stdout) as unknown;
    expect(json).toEqual({ symbol: 'F', override: { below: 45 }, effective: { above: 150, below: 45, mode: 'cross' } });
    const list = await marketData(['rules', 'list'], { ...env, ALERT_THRESHOLD_LOW: '100' });
    expect(list.stdout.split('\n')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^default rule: above 150, below 100, mode cross \(the embedded store \(\S+, environment cmd\); from the local defaults\)$/,
        ),
        'F        above 150, below 45, mode cross (override: below 45), zone none yet',
        // The zone of KO's newest price (62) under the rule in force (the override is ignored: 150/100).
        'KO       above 150, below 100, mode cross (override: above 62, mode every), zone LOW — rule override ignored: below (100) must be less than above (62)',
      ]),
    );
    expect(await marketData(['rules', 'set', 'KO'], env)).toMatchObject({
      code: 1,
      stderr: 'error: nothing to set: give --above, --below, --mode, --rearm, --until, or --kind crosses or channel with its options\n',
    });
    expect(await marketData(['rules', 'set', 'KO', '--above', '2000000000'], env)).toMatchObject({
      code: 1,
      stderr: 'error: rule for KO not set: above: must be at most 1000000000\n',
    });
    expect((await marketData(['rules', 'set', 'XOM', '--below', '140', '--rearm', '0.5%'], env)).stdout).toBe(
      'XOM: above 150, below 140, mode cross, rearm 0.5% (takes effect with the next batch)\n',
    );
    expect(await marketData(['rules', 'set', 'XOM', '--mode', 'every'], env)).toMatchObject({
      code: 1,
      stderr: 'error: rule for XOM not set: rearm (0.5%) applies to mode cross only: give mode cross, or rearm 0\n',
    });
    expect(await marketData(['rules', 'set', 'XOM', '--rearm', 'lots'], env)).toMatchObject({
      code: 1,
      stderr: 'error: rule for XOM not set: rearm: must be an amount of price (0.5) or a percentage of the threshold ("0.5%"), 0 or more\n',
    });
    expect((await marketData(['rules', 'set', 'XOM', '--rearm', '0', '--json'], env)).stdout).toContain(
      '"effective": {\n    "above": 150,\n    "below": 140,\n    "mode": "cross"\n  }',
    );
    expect((await marketData(['rules', 'delete', 'XOM'], env)).code).toBe(0);
    expect((await marketData(['rules', 'set', 'XOM', '--kind', 'crosses', '--level', '105', '--direction', 'up'], env)).stdout).toBe(
      'XOM: crosses 105, direction up (takes effect with the next batch)\n',
    );
    expect(await marketData(['rules', 'set', 'XOM', '--above', '110'], env)).toMatchObject({
      code: 1,
      stderr:
        'error: rule for XOM not set: above is not part of a crosses rule: it takes level and direction; its override is of another kind: remove it first with market-data rules delete XOM\n',
    });
    expect(await marketData(['rules', 'set', 'XOM', '--level', '100'], env)).toMatchObject({ code: 0 });
    expect(await marketData(['rules', 'set', 'XOM', '--direction', 'sideways'], env)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('sideways'),
    });
    expect(await marketData(['rules', 'set', 'F', '--level', '100'], env)).toMatchObject({
      code: 1,
      stderr: 'error: rule for F not set: level belongs to a crosses rule: give kind crosses\n',
    });
    expect((await marketData(['rules', 'set', 'XOM', '--until', '2026-12-31T16:00:00-05:00'], env)).stdout).toBe(
      'XOM: crosses 100, direction up, until 2026-12-31T21:00:00.000Z (takes effect with the next batch)\n',
    );
    expect((await marketData(['rules', 'set', 'XOM', '--until', 'tomorrow'], env)).stderr).toBe(
      'error: rule for XOM not set: until: must be ISO-8601 with a time zone\n',
    );
    expect((await marketData(['rules', 'delete', 'XOM'], env)).code).toBe(0);
    expect((await marketData(['rules', 'set', 'XOM', '--kind', 'channel', '--below', '95', '--above', '105', '--on', 'exiting'], env)).stdout).toBe(
      'XOM: channel 95 to 105, on exiting (takes effect with the next batch)\n',
    );
    expect((await marketData(['rules', 'set', 'XOM', '--mode', 'every'], env)).stderr).toBe(
      'error: rule for XOM not set: mode is not part of a channel rule: it takes above, below, rearm and on; its override is of another kind: remove it first with market-data rules delete XOM\n',
    );
    expect((await marketData(['rules', 'delete', 'XOM'], env)).code).toBe(0);
    expect(await marketData(['rules', 'set', 'ko', '--above', '1'], env)).toMatchObject({
      code: 1,
      stderr: 'error: symbol "ko" is not valid: use uppercase, e.g. AAPL, BRK.B\n',
    });
    expect(await marketData(['rules', 'delete', 'F', '--json'], env)).toMatchObject({ code: 0, stdout: expect.stringContaining('"override": null') });
    expect(await marketData(['rules', 'delete', 'F'], env)).toMatchObject({
      code: 1,
      stderr: 'error: F has no rule override (it already uses the default rule)\n',
    });
  });

  it('dlq list: ticks with their bodies, events with their rule, and how many are left out', async () => {
    const events = [
      { source: 'market.data', 'detail-type': 'Trade Execution', detail: { symbol: 'F', price: 49 } },
      { source: 'market.data', 'detail-type': 'Market Quote', detail: { exchange: 'NYSE', symbol: 'f', price: 1 } },
    ];
    await writeFile(file('events.jsonl'), `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    // One event at a time, so that the dead letters are in file order.
    expect((await marketData(['replay', file('events.jsonl'), '-q', '--concurrency', '1'], env)).code).toBe(0);
    const events1 = await marketData(['dlq', 'list', '--queue', 'events', '--limit', '1'], env);
    expect(events1.stdout).toMatch(
      /^events dead-letter queue \(\S+market-events-dlq-cmd\.jsonl\): 2 messages\n {2}line 1 {5}Trade Execution via trade-events: detail\.exchange: must be a string; detail\.volume: must be a number\n {2}… and 1 more \(--limit\)\n$/,
    );
    const ticks = await marketData(['dlq', 'list', '--queue', 'ticks'], env);
    expect(ticks.stdout).toContain('  line 2     price: must be greater than 0\n             body: {"symbol":"KO","price":0}\n');
  });

  it('generate checks its symbols, and warns of ticks the pipeline would find too far in the future', async () => {
    expect(await marketData(['generate', '-o', file('g.jsonl'), '--symbols', ' , '], env)).toMatchObject({
      code: 1,
      stderr: 'error: --symbols: give at least one symbol, e.g. --symbols AAPL,MSFT\n',
    });
    const lower = await marketData(['generate', '-o', file('g.jsonl'), '--symbols', 'AAPL,msft'], env);
    expect(lower.stderr).toMatch(/^error: --symbols: "msft" must be 1-16 characters/);
    const late = await marketData(
      ['generate', '-o', file('g.csv'), '-n', '3', '--symbols', 'KO,KO,F', '--start', '2999-01-01T00:00:00Z', '--json'],
      env,
    );
    expect(late.code).toBe(0);
    expect(JSON.parse(late.stdout)).toEqual({
      file: file('g.csv'),
      format: 'csv',
      ticks: 3,
      symbols: ['KO', 'F'],
      seed: 1,
      from: '2999-01-01T00:00:00.000Z',
      to: '2999-01-01T00:00:02.000Z',
    });
    expect(late.stderr).toMatch(/^warning: ticks after \S+ are in the future and the pipeline will reject them; give an earlier --start\n$/);
    expect((await readFile(file('g.csv'), 'utf8')).split('\n')[0]).toBe('symbol,price,timestamp,volume');
    const beyond = await marketData(['generate', '-o', file('g.jsonl'), '-n', '3', '--start', '9999-12-31T23:59:59Z'], env);
    expect(beyond.stderr).toBe(
      'error: the last tick would be after 9999-12-31T23:59:59.999Z: use fewer --ticks, a shorter --interval or an earlier --start\n',
    );
    expect((await marketData(['generate', '-o', file('g.jsonl'), '--drift', 'fast'], env)).stderr).toMatch(
      /^error: option '--drift <mu>' argument 'fast' is invalid\. must be a number\n/,
    );
    expect((await marketData(['generate', '-o', file('g.jsonl'), '--volatility', '0'], env)).code).toBe(2);
  });

  it('backtest checks the charted symbols before reading anything', async () => {
    const chart = await marketData(['backtest', file('one.jsonl'), '--report', file('r.html'), '--chart', 'AAPL,bad'], env);
    expect([chart.code, chart.stderr]).toEqual([1, 'error: --chart: "bad" is not a valid symbol (use uppercase, e.g. AAPL, BRK.B)\n']);
    const empty = await marketData(['backtest', file('one.jsonl'), '--report', file('r.html'), '--chart', ','], env);
    expect(empty.stderr).toBe('error: --chart: give at least one symbol, e.g. --chart AAPL,MSFT\n');
  });

  it('reset asks at a terminal; yes deletes, anything else keeps everything', async () => {
    const declined = await marketDataAtTerminal(['reset'], env, 'no\n');
    expect(declined.stderr).toBe('delete all of this? [y/N] ');
    expect(declined.stdout).toMatch(/nothing was deleted\n$/);
    const accepted = await marketDataAtTerminal(['reset', '--keep-rules'], env, 'yes\n');
    expect(accepted.stdout).toMatch(/environment cmd reset \(rule overrides kept\)\n$/);
    expect(
      (JSON.parse((await marketData(['rules', 'list', '--json'], env)).stdout) as { symbols: { symbol: string }[] }).symbols.map((s) => s.symbol),
    ).toEqual(['KO']);
  });
});

describe('late ticks, in process', { timeout: SLOW_TEST_TIMEOUT_MS }, () => {
  let home: string;
  // A horizon of two observations per symbol, so that a few ticks make one late.
  let env: Record<string, string>;
  const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
  const tick = (minutes: number, price = 100) => JSON.stringify({ symbol: 'LTK', price, timestamp: ago(minutes) });

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'market-data-late-'));
    env = { MARKET_DATA_HOME: home, ENVIRONMENT_SUFFIX: 'late', ALERT_LATENESS_HORIZON_TICKS: '2' };
  });
  afterAll(() => rm(home, { recursive: true, force: true }));

  it('replay prints a LATE line per late tick with its input line, counts them in the summary, and --strict exits 3', async () => {
    const recent = join(home, 'recent.jsonl');
    await writeFile(recent, `${[9, 8].map((m) => tick(m)).join('\n')}\n`);
    const first = await marketData(['replay', recent, '--strict'], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('\n  late ticks     0 (beyond the lateness horizon: acknowledged, not applied)\n');
    const old = join(home, 'old.jsonl');
    const event = {
      source: 'market.data',
      'detail-type': 'Trade Execution',
      time: ago(12),
      detail: { exchange: 'NYSE', symbol: 'LTK', price: 151, volume: 1 },
    };
    await writeFile(old, `${tick(7)}\n${tick(11, 151)}\n${JSON.stringify(event)}\n`);
    const late = await marketData(['replay', old, '--strict', '--concurrency', '1'], env);
    expect(late.code).toBe(3);
    expect(late.stdout).toMatch(/^LATE {2}line 2 \(tick\): beyond the lateness horizon: acknowledged, not applied \(LTK 151 at \S+\)$/m);
    expect(late.stdout).toMatch(/^LATE {2}line 3 \(event\): beyond the lateness horizon: acknowledged, not applied \(LTK 151 at \S+\)$/m);
    expect(late.stdout).toContain('  ticks in       2 (2 processed, 0 to the DLQ)\n');
    expect(late.stdout).toContain('  late ticks     2 (1 from the queue, 1 market event; beyond the lateness horizon: acknowledged, not applied)\n');
    expect(late.stdout).not.toMatch(/^ALERT /m);
    expect((await marketData(['replay', old], env)).code).toBe(0);
    const json = await marketData(['replay', old, '--json', '--strict'], env);
    expect(json.code).toBe(3);
    const summary = JSON.parse(json.stdout) as { ticks: unknown; marketEvents: { late: number }; problems: { outcome: string }[] };
    expect(summary.ticks).toEqual({ in: 2, processed: 2, deadLettered: 0, late: 1 });
    expect(summary.marketEvents.late).toBe(1);
    expect(summary.problems.map((p) => p.outcome)).toEqual(['late', 'late']);
    expect(json.stderr).toMatch(/^LATE {2}line 2 \(tick\): beyond the lateness horizon/m);
  });

  it('dlq redrive counts a dead letter that comes back late, with its input line', async () => {
    const dlq = join(home, 'late', 'market-data-dlq-late.jsonl');
    const letter = {
      messageId: 'm-old',
      body: tick(30, 151),
      sentTimestamp: Date.now() - 30 * 60_000,
      receiveCount: 3,
      reason: 'down',
      deadLetteredAt: ago(29),
      origin: { file: 'day.jsonl', line: 17 },
    };
    await writeFile(dlq, `${JSON.stringify(letter)}\n`);
    const text = await marketData(['dlq', 'redrive', '--queue', 'ticks'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^LATE {2}line 17 \(tick\): beyond the lateness horizon: acknowledged, not applied \(LTK 151 at \S+\)$/m);
    expect(text.stdout).toContain('  late ticks     1 (beyond the lateness horizon: acknowledged, not applied)\n');
    expect(JSON.parse((await marketData(['dlq', 'list', '--json'], env)).stdout).ticks.total).toBe(0);
    await writeFile(dlq, `${JSON.stringify({ ...letter, messageId: 'm-old-2' })}\n`);
    const json = await marketData(['dlq', 'redrive', '--queue', 'ticks', '--json'], env);
    expect(JSON.parse(json.stdout).ticks).toEqual({ in: 1, processed: 1, deadLettered: 0, late: 1 });
    expect(json.stderr).toMatch(/^LATE {2}line 17 \(tick\)/m);
  });
});

describe('market-data publish, in process', { timeout: SLOW_TEST_TIMEOUT_MS }, () => {
  let fake: FakeAwsJson;
  let home: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    fake = await startFakeAwsJson();
    home = await mkdtemp(join(tmpdir(), 'market-data-publish-'));
    env = { MARKET_DATA_HOME: home, ENVIRONMENT_SUFFIX: 'pub', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_REGION: 'us-east-1' };
  });
  afterAll(async () => {
    await fake.close();
    await rm(home, { recursive: true, force: true });
  });

  it('reports every line it cannot send and exits 3', async () => {
    const input = join(home, 'mixed.jsonl');
    await writeFile(input, '{"symbol":"AAPL","price":1}\n{"source":"market.data","detail-type":"Trade Execution","detail":"not json"}\n');
    const run = await marketData(['publish', input, '--endpoint', fake.endpoint, '--json'], env);
    expect(run.code).toBe(3);
    expect(run.stderr).toBe('line 2: not a valid bus event: detail: must be a JSON object (not sent)\n');
    expect(JSON.parse(run.stdout)).toEqual({
      file: input,
      queueUrl: null,
      busName: 'market-data-bus-pub',
      ticksSent: 1,
      eventsSent: 0,
      failed: [],
      skippedLines: 1,
    });
    const none = await marketData(['publish', input], env);
    expect(none.stderr).toMatch(/^error: publish sends to a deployed queue and bus: give --outputs cfn-outputs\/flat-outputs\.json/);
  });
});
