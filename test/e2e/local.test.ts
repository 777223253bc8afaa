import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynalite, type EmbeddedDynamo } from '../../src/local/emulation/dynalite.js';
import { marketData, run, type RunResult } from '../support/cli.js';
import { SLOW_TEST_TIMEOUT_MS } from '../support/timeouts.js';

const SAMPLE = 'src/local/sample/session.jsonl';

/**
 * The end-to-end suite on the embedded runtime: spawned commands, real files, a temporary data folder for each test
 * (what one test stores cannot change what another finds).
 */
describe('market-data on the embedded runtime', { timeout: SLOW_TEST_TIMEOUT_MS }, () => {
  const homes: string[] = [];
  afterAll(() => Promise.all(homes.map((home) => rm(home, { recursive: true, force: true }))));
  const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

  /** A new data folder and the environment of the commands that use it. */
  async function freshEnvironment(): Promise<{ home: string; env: Record<string, string> }> {
    const home = await mkdtemp(join(tmpdir(), 'market-data-e2e-'));
    homes.push(home);
    return { home, env: { MARKET_DATA_HOME: home, ENVIRONMENT_SUFFIX: 'e2e' } };
  }
  const replaySample = async (env: Record<string, string>) => expect((await marketData(['replay', SAMPLE, '-q'], env)).code).toBe(0);

  // npm start runs once; its tests read what it printed and what it stored.
  describe('npm start', () => {
    let env: Record<string, string>;
    let started: RunResult;
    beforeAll(async () => {
      ({ env } = await freshEnvironment());
      started = await run('npm', ['start', '--silent'], env);
    }, SLOW_TEST_TIMEOUT_MS);

    // Five batches run at once and SQS does not order messages, so which tick of a crossing raises its alert can
    // vary from run to run; the counts of messages, dead letters and events cannot.
    const alertsRaised = () => /alerts {9}(\d+) \(HIGH (\d+), LOW (\d+)\)/.exec(started.stdout)!.slice(1).map(Number);

    it('npm start replays the sample session: alerts as they fire, then the summary', () => {
      const { code, stdout, stderr } = started;
      expect(stderr.replace(/npm warn.*\n/g, '')).toBe('');
      expect(code).toBe(0);
      expect(stdout).toMatch(/^ALERT HIGH {2}MSFT \d+\.?\d* > 150 at 2026-11-20T\d\d:\d\d:\d\d\.\d{3}Z \[id [0-9a-f]{8}\]$/m);
      expect(stdout).toMatch(/^ALERT LOW {3}INTC \d+\.?\d* < 50 at /m);
      expect(stdout).toMatch(/^DLQ {3}line 64 \(tick\): price: must be greater than 0$/m);
      expect(stdout).toMatch(/^DLQ {3}line 239 \(event\): detail\.exchange: must be a string$/m);
      expect(stdout).toMatch(/^SKIP {2}line 213 \(event\): no rule on market-data-bus-e2e matches .*"Order Cancel"$/m);
      expect(stdout).toContain('ticks in       294 (288 processed, 6 to the DLQ)');
      expect(stdout).toContain('market events  12 in: 10 stored, 0 already stored, 1 to the DLQ, 1 matched no rule');
      expect(stdout).toContain('dead letters   7 messages (6 ticks, 1 event)');
      expect(stdout).toContain('late ticks     0 (beyond the lateness horizon: acknowledged, not applied)');
      const [total, high, low] = alertsRaised();
      expect(high).toBeGreaterThanOrEqual(1);
      expect(low).toBeGreaterThanOrEqual(1);
      expect(stdout.match(/^ALERT /gm)).toHaveLength(total!);
    });

    it('alerts: what npm start stored, by symbol and time range, as text and JSON', async () => {
      const all = await marketData(['alerts', '--demo', '--json'], env);
      expect(all.code).toBe(0);
      const items = JSON.parse(all.stdout) as Record<string, unknown>[];
      expect(items).toHaveLength(alertsRaised()[0]!);
      expect(items.map((i) => i.event_time)).toEqual(items.map((i) => i.event_time).sort());
      // MSFT trades above 150 all session: exactly one alert, whichever tick got there first.
      const msft = JSON.parse((await marketData(['alerts', 'MSFT', '--demo', '--json'], env)).stdout) as Record<string, unknown>[];
      expect(msft).toHaveLength(1);
      expect(msft[0]).toMatchObject({ symbol: 'MSFT', alert_type: 'HIGH', threshold: 150, rule: 'cross', environment: 'e2e' });
      const at = Date.parse(String(msft[0]!.event_time));
      const around = await marketData(
        ['alerts', 'MSFT', '--demo', '--from', new Date(at - 1000).toISOString(), '--to', new Date(at).toISOString()],
        env,
      );
      expect(around.stdout).toMatch(/^2026-11-20T\S+ {2}HIGH {2}MSFT .* > 150 +cross {2}\[id [0-9a-f]{8}\]$/m);
      expect(around.stdout).toContain('1 alert in the embedded store');
      const before = await marketData(['alerts', 'MSFT', '--demo', '--to', new Date(at - 1).toISOString()], env);
      expect(before.stdout).toMatch(/^no alerts for MSFT in the embedded store/);
      // The demo run is kept apart: the environment's own alerts are untouched by it.
      expect((await marketData(['alerts'], env)).stdout).toMatch(
        /^no alerts in the embedded store .*; npm start keeps its alerts apart: market-data alerts --demo\n$/,
      );
      const lowercase = await marketData(['alerts', 'aapl'], env);
      expect(lowercase.code).toBe(1);
      expect(lowercase.stderr).toContain('error: symbol "aapl" is not valid');
    });
  });

  it('dlq list shows the invalid messages with their reasons and lines', async () => {
    const { env } = await freshEnvironment();
    expect((await marketData(['dlq', 'list', '--json'], env)).stdout).toMatch(/"total": 0/);
    await replaySample(env);
    const { code, stdout } = await marketData(['dlq', 'list', '--json'], env);
    expect(code).toBe(0);
    const dlq = JSON.parse(stdout) as Record<'ticks' | 'events', { total: number; items: { reason: string; origin: { line: number } }[] }>;
    expect(dlq.ticks.total).toBe(6);
    expect(dlq.events.total).toBe(1);
    expect(dlq.ticks.items.map((i) => `${i.origin.line}: ${i.reason}`)).toContain('64: price: must be greater than 0');
  });

  it('dlq redrive sends them through again; still invalid, they return to the DLQ', async () => {
    const { env } = await freshEnvironment();
    await replaySample(env);
    const { code, stdout } = await marketData(['dlq', 'redrive', '--json'], env);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout) as { ticks: { in: number; deadLettered: number }; marketEvents: { deadLettered: number } };
    expect(summary.ticks).toMatchObject({ in: 6, deadLettered: 6 });
    expect(summary.marketEvents.deadLettered).toBe(1);
    const after = JSON.parse((await marketData(['dlq', 'list', '--json', '--queue', 'ticks'], env)).stdout) as { ticks: { total: number } };
    expect(after.ticks.total).toBe(6);
  });

  it('rules set takes effect on the next replay without a restart; rules delete keeps the engine state', async () => {
    // The sample session leaves MSFT in its HIGH zone.
    const { home, env } = await freshEnvironment();
    await replaySample(env);
    const set = await marketData(['rules', 'set', 'KO', '--above', '62', '--below', '40', '--mode', 'every'], env);
    expect(set.stdout).toBe('KO: above 62, below 40, mode every (takes effect with the next batch)\n');
    const file = join(home, 'ko.jsonl');
    await writeFile(file, [62.5, 63, 61].map((price, i) => JSON.stringify({ symbol: 'KO', price, timestamp: ago(10 - i) })).join('\n'));
    const replay = await marketData(['replay', file, '--json'], env);
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.stdout).alerts).toEqual({ total: 2, HIGH: 2, LOW: 0 });
    const refused = await marketData(['rules', 'set', 'KO', '--below', '70'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('error: rule for KO not set: below (70) must be less than above (62)\n');
    expect((await marketData(['rules', 'delete', 'KO'], env)).stdout).toBe('KO: override removed; now above 150, below 50, mode cross\n');
    const list = JSON.parse((await marketData(['rules', 'list', '--json'], env)).stdout) as {
      symbols: { symbol: string; override: unknown; zone: string }[];
    };
    expect(list.symbols.find((s) => s.symbol === 'MSFT')).toMatchObject({ override: null, zone: 'HIGH' });
    expect(list.symbols.find((s) => s.symbol === 'KO')).toMatchObject({ override: null });
  });

  it('generate writes seeded GBM ticks that replay end to end, CSV included', async () => {
    const { home, env } = await freshEnvironment();
    const file = join(home, 'gen.csv');
    const generated = await marketData(['generate', '-n', '3000', '--seed', '5', '-o', file], env);
    expect(generated.code).toBe(0);
    expect(generated.stdout).toMatch(/^wrote 3000 ticks for AAPL, MSFT, NVDA, TSLA, F, INTC, KO, XOM to .*gen\.csv \(csv, seed 5/);
    const replay = await marketData(['replay', file, '--json', '--progress'], env);
    expect(replay.code).toBe(0);
    const summary = JSON.parse(replay.stdout) as { ticks: unknown; badLines: number };
    expect(summary.ticks).toEqual({ in: 3000, processed: 3000, deadLettered: 0, late: 0 });
    expect(summary.badLines).toBe(0);
  });

  it('a bad line is reported with its number, and the rest is still processed', async () => {
    const { home, env } = await freshEnvironment();
    const file = join(home, 'mixed.jsonl');
    const good = (minutes: number) => JSON.stringify({ symbol: 'NVDA', price: 140, timestamp: ago(minutes) });
    await writeFile(
      file,
      [good(5), good(4), '{"symbol":"NVDA","price":0}', good(3), '{"source":"market.data","detail-type":"Trade Execution","detail":7}', good(2)].join(
        '\n',
      ),
    );
    const { code, stdout } = await marketData(['replay', file], env);
    expect(code).toBe(0);
    expect(stdout).toContain('DLQ   line 3 (tick): price: must be greater than 0');
    expect(stdout).toContain('SKIP  line 5 (unreadable line): not a valid bus event: detail: must be a JSON object');
    expect(stdout).toContain('ticks in          5 (4 processed, 1 to the DLQ)');
  });

  it('says clearly what is wrong: a missing file, an unreachable endpoint, a missing table, no target', async () => {
    const { env } = await freshEnvironment();
    const missing = await marketData(['replay', 'no-such-file.jsonl'], env);
    expect([missing.code, missing.stderr]).toEqual([1, 'error: file not found: no-such-file.jsonl\n']);

    const creds = { ...env, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_REGION: 'us-east-1' };
    const closed = await startDynalite();
    const closedEndpoint = closed.endpoint;
    await closed.close();
    const unreachable = await marketData(['alerts', '--endpoint', closedEndpoint], creds);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain(`error: cannot reach DynamoDB at ${closedEndpoint} (ECONNREFUSED)`);

    const publishing = await marketData(
      ['publish', 'src/local/sample/session.jsonl', '--queue-url', `${closedEndpoint}/000000000000/q`, '--bus-name', 'b'],
      {
        ...creds,
        AWS_ENDPOINT_URL: closedEndpoint,
      },
    );
    expect(publishing.code).toBe(1);
    expect(publishing.stderr).toMatch(/^error: publishing stopped: cannot reach (SQS|EventBridge) at 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/m);

    let empty: EmbeddedDynamo | undefined;
    try {
      empty = await startDynalite();
      const noTable = await marketData(['rules', 'list', '--endpoint', empty.endpoint], creds);
      expect(noTable.code).toBe(1);
      expect(noTable.stderr).toContain(
        `error: table alert-rules-e2e does not exist at ${empty.endpoint}: deploy the stack (ENVIRONMENT_SUFFIX=e2e npm run deploy)`,
      );
    } finally {
      await empty?.close();
    }

    const publish = await marketData(['publish', 'src/local/sample/session.jsonl'], env);
    expect(publish.code).toBe(1);
    expect(publish.stderr).toContain('error: publish sends to a deployed queue and bus');

    const usage = await marketData(['generate'], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("required option '-o, --out <file>' not specified");
  });

  it('--help lists every command', async () => {
    const { env } = await freshEnvironment();
    const { code, stdout } = await marketData(['--help'], env);
    expect(code).toBe(0);
    for (const command of ['replay', 'generate', 'alerts', 'rules', 'publish', 'dlq']) expect(stdout).toContain(command);
  });
});
