import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marketData } from '../support/cli.js';
import { SLOW_TEST_TIMEOUT_MS } from '../support/timeouts.js';

interface BacktestJson {
  readonly alerts: { alertId: string; symbol: string }[];
  readonly totals: { alerts: { total: number } };
  readonly records: Record<string, number>;
  readonly rules: { defaultRule: unknown; overrides: Record<string, unknown> };
}

/** `market-data backtest` as a user runs it, against `replay --concurrency 1` on the same files and rules. */
describe('market-data backtest', { timeout: SLOW_TEST_TIMEOUT_MS }, () => {
  let home: string;
  let env: Record<string, string>;
  let generated: string;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'market-data-backtest-'));
    env = { MARKET_DATA_HOME: home, ENVIRONMENT_SUFFIX: 'bt' };
    generated = join(home, 'generated.jsonl');
    const made = await marketData(['generate', '-n', '2000', '--seed', '11', '--interval', '500', '-o', generated], env);
    expect(made.code).toBe(0);
  }, SLOW_TEST_TIMEOUT_MS);
  afterAll(() => rm(home, { recursive: true, force: true }));

  /** Alert ids the replay stored in the embedded store of `environment`. */
  const replayedIds = async (file: string, environment: string): Promise<string[]> => {
    const replayed = await marketData(['replay', file, '--concurrency', '1', '--json', '--no-progress', '--env', environment], env);
    expect(replayed.code).toBe(0);
    const alerts = await marketData(['alerts', '--json', '--env', environment], env);
    return (JSON.parse(alerts.stdout) as { alert_id: string }[]).map((a) => a.alert_id).sort();
  };
  const backtest = async (args: string[]) => {
    const run = await marketData(['backtest', ...args, '--json'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout) as BacktestJson;
  };

  it('gives the alert ids replay --concurrency 1 stores, for the sample session with its events and invalid lines', async () => {
    const sample = 'src/local/sample/session.jsonl';
    const replayed = await replayedIds(sample, 'bt-sample');
    const result = await backtest([sample]);
    expect(replayed).toHaveLength(6);
    expect(result.alerts.map((a) => a.alertId).sort()).toEqual(replayed);
    expect(result.records).toMatchObject({ ticks: 288, eventTicks: 8, eventsWithoutPrice: 2, invalid: 7, unmatchedEvents: 1 });
  });

  it('gives the same alert ids on generated history with a stored override, read with --rules-from-store or from a rules file', async () => {
    const set = await marketData(['rules', 'set', 'MSFT', '--above', '152', '--env', 'bt-rules'], env);
    expect(set.code).toBe(0);
    const replayed = await replayedIds(generated, 'bt-rules');
    expect(replayed.length).toBeGreaterThan(3);

    const fromStore = await backtest([generated, '--rules-from-store', '--env', 'bt-rules']);
    expect(fromStore.rules.overrides).toEqual({ MSFT: { above: 152 } });
    expect(fromStore.alerts.map((a) => a.alertId).sort()).toEqual(replayed);

    const rulesFile = join(home, 'rules.json');
    await writeFile(rulesFile, JSON.stringify([{ symbol: 'MSFT', above: 152 }]));
    const fromFile = await backtest([generated, '--rules', rulesFile]);
    expect(fromFile.alerts.map((a) => a.alertId).sort()).toEqual(replayed);
    // Without the override MSFT alerts at 150: the what-if differs, so the rule was applied.
    const defaults = await backtest([generated]);
    expect(defaults.alerts.map((a) => a.alertId).sort()).not.toEqual(replayed);
  });

  it('writes nothing to the store', async () => {
    await backtest([generated]);
    const alerts = await marketData(['alerts', '--json', '--env', 'bt'], env);
    expect(JSON.parse(alerts.stdout)).toEqual([]);
  });

  it('prints a sweep as a table of alerts per setting and symbol', async () => {
    const { code, stdout } = await marketData(['backtest', generated, '--sweep', 'above=150:152:1', '--sweep', 'below=45,50'], env);
    expect(code).toBe(0);
    expect(stdout).toContain('6 settings evaluated on the same ticks (mode cross)');
    expect(stdout).toMatch(/^setting +alerts +HIGH +LOW +late +AAPL +F +INTC +KO +MSFT +NVDA +TSLA +XOM$/m);
    expect(stdout.match(/^above=15[012] below=(45|50) +\d+/gm)).toHaveLength(6);
    const json = JSON.parse((await marketData(['backtest', generated, '--sweep', 'above=150:152:1', '--json'], env)).stdout) as {
      settings: { label: string }[];
    };
    expect(json.settings.map((s) => s.label)).toEqual(['above=150', 'above=151', 'above=152']);
  });

  it('exits 3 when the files hold no valid tick, with the problems listed', async () => {
    const bad = join(home, 'bad.jsonl');
    await writeFile(bad, '{"symbol":"AAPL","price":-1}\nnot json\n');
    const run = await marketData(['backtest', bad], env);
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('DLQ   line 1 (tick): price: must be greater than 0');
    expect(run.stdout).toContain('no valid tick in the input: nothing was evaluated');
    const empty = join(home, 'empty.csv');
    await writeFile(empty, '');
    expect((await marketData(['backtest', empty], env)).code).toBe(3);
  });

  it('refuses bad input with one line and exit code 1', async () => {
    const rules = join(home, 'broken-rules.json');
    await writeFile(rules, '[{"symbol":"AAPL","above":152},{"symbol":"AAPL","abvoe":1}]');
    const badHeader = join(home, 'bad-header.csv');
    await writeFile(badHeader, 'sym,px\nAAPL,151\n');
    const cases: [string[], string][] = [
      // Every file's header is checked before the first file is read.
      [
        ['backtest', generated, badHeader],
        `error: ${badHeader}: the first line must be a header naming the columns, at least symbol and price (known: symbol, price, timestamp, volume, exchange, bid, ask); got "sym,px"\n`,
      ],
      [['backtest', join(home, 'missing.jsonl')], `error: file not found: ${join(home, 'missing.jsonl')}\n`],
      [
        ['backtest', generated, '--rules', rules],
        `error: ${rules}: rule 2 (AAPL): Unrecognized key: "abvoe"; sets nothing: give kind, above, below, mode, rearm, level, direction, on and/or until\n`,
      ],
      [
        ['backtest', generated, '--sweep', 'above=40:60:10'],
        'error: --sweep above=40 leaves the default rule without a NORMAL band: below 50 is not under above 40\n',
      ],
      [
        ['backtest', generated, '--below', '200'],
        'error: --below: below=200 leaves the default rule without a NORMAL band: below 200 is not under above 150\n',
      ],
      [
        ['backtest', generated, '--sweep', 'above=150:151:1', '--report', join(home, 'r.html')],
        'error: --report charts one rule set: leave out --sweep (or set the one you want with --above/--below)\n',
      ],
      [
        ['backtest', generated, '--aws'],
        'error: --aws is only for --rules-from-store (where it reads the rules): add --rules-from-store, or leave it out\n',
      ],
      [['backtest', generated, '--rules', rules, '--rules-from-store'], 'error: --rules and --rules-from-store both give the rules: choose one\n'],
      [
        ['backtest', generated, '--report', join(home, 'no-such-folder', 'r.html')],
        `error: --report ${join(home, 'no-such-folder', 'r.html')}: the folder ${join(home, 'no-such-folder')} does not exist\n`,
      ],
    ];
    for (const [args, stderr] of cases) {
      const run = await marketData(args, env);
      expect({ args, stderr: run.stderr, code: run.code }).toEqual({ args, stderr, code: 1 });
      expect(run.stdout).toBe('');
    }
    // Malformed option values, told before anything is read.
    const chart = await marketData(['backtest', join(home, 'missing.jsonl'), '--report', join(home, 'r.html'), '--chart', 'aapl'], env);
    expect([chart.code, chart.stderr]).toEqual([1, 'error: --chart: "aapl" is not a valid symbol (use uppercase, e.g. AAPL, BRK.B)\n']);
    const sweep = await marketData(['backtest', join(home, 'missing.jsonl'), '--sweep', 'above=1:2'], env);
    expect([sweep.code, sweep.stderr]).toEqual([
      1,
      'error: --sweep: "above=1:2": use above=<from>:<to>:<step> or below=<v1>,<v2>,… (e.g. above=148:156:1, rearm=0:1:0.25)\n',
    ]);
  });

  it('shows control characters of the input as escapes on the terminal', async () => {
    const file = join(home, 'escapes.jsonl');
    await writeFile(file, `${JSON.stringify({ source: 'market.data', 'detail-type': 'Trade\u001b[2J\u202e', detail: { symbol: 'KO' } })}\n`);
    const { stdout } = await marketData(['backtest', file], env);
    expect(stdout.includes('\u001b') || stdout.includes('\u202e')).toBe(false);
    // The reason quotes the value as JSON (which escapes ESC); the right-to-left override is escaped for the terminal.
    expect(stdout).toContain('detail-type "Trade\\u001b[2J\\u202e"');
  });

  it('writes a report in which nothing from the input is markup', async () => {
    const crafted = join(home, '<img src=x onerror=alert(1)>.jsonl');
    await writeFile(
      crafted,
      [
        JSON.stringify({ symbol: 'AAPL', price: 151, timestamp: '2026-11-20T14:30:00Z' }),
        JSON.stringify({ symbol: '</script><script>alert(1)</script>', price: 1 }),
        JSON.stringify({ source: 'market.data', 'detail-type': '<b>Trade</b></script>', detail: { symbol: 'AAPL' } }),
      ].join('\n'),
    );
    const report = join(home, 'crafted.html');
    const run = await marketData(['backtest', crafted, '--report', report], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`report: ${report}`);
    const html = await readFile(report, 'utf8');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('<b>Trade</b>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;.jsonl');
    expect(html).toContain('detail-type &quot;&lt;b&gt;Trade&lt;/b&gt;&lt;/script&gt;&quot;');
    // Three script elements, all ours: the data (inert JSON), uPlot and the charts.
    expect(html.match(/<script\b/g)).toHaveLength(3);
  });
});
