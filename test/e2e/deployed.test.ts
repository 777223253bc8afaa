import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OUTPUTS_FILE } from '../../src/app/stack-outputs.js';
import { marketData } from '../support/cli.js';
import { PROJECT_ROOT } from '../../src/shared/project-root.js';

/**
 * The same journey against a real deployment: set E2E_OUTPUTS_FILE (or have `npm run deploy` write
 * cfn-outputs/flat-outputs.json) and give the standard AWS credentials. Skipped otherwise.
 */
const outputsFile =
  process.env.E2E_OUTPUTS_FILE ?? (existsSync(resolve(PROJECT_ROOT, DEFAULT_OUTPUTS_FILE)) ? resolve(PROJECT_ROOT, DEFAULT_OUTPUTS_FILE) : undefined);
const title = outputsFile
  ? `market-data against the deployment in ${outputsFile}`
  : `market-data against a deployment (skipped: set E2E_OUTPUTS_FILE or write ${DEFAULT_OUTPUTS_FILE})`;

describe.skipIf(!outputsFile)(title, () => {
  let home: string;
  // Keep the machine's AWS configuration (credentials, region): this suite talks to AWS.
  const awsEnv = () =>
    Object.fromEntries(
      Object.entries(process.env).filter(([k, v]) => (k.startsWith('AWS_') || k === 'ENVIRONMENT_SUFFIX') && v !== undefined),
    ) as Record<string, string>;
  const target = ['--outputs', outputsFile ?? ''];
  // A symbol no one else trades, so the assertions see only this run's alerts.
  const symbol = `ZE${Array.from({ length: 4 }, () => String.fromCharCode(65 + Math.floor(Math.random() * 26))).join('')}`;
  const env = () => ({ ...awsEnv(), MARKET_DATA_HOME: home });
  const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'market-data-e2e-aws-'));
  });
  afterAll(async () => {
    await marketData(['rules', 'delete', symbol, ...target], env());
    await rm(home, { recursive: true, force: true });
  });

  const waitForAlerts = async (count: number): Promise<Record<string, unknown>[]> => {
    for (const deadline = Date.now() + 120_000; Date.now() < deadline;) {
      const { stdout, code } = await marketData(['alerts', symbol, '--json', ...target], env());
      if (code === 0) {
        const items = JSON.parse(stdout) as Record<string, unknown>[];
        if (items.length >= count) return items;
      }
      await new Promise((r) => setTimeout(r, 5_000));
    }
    throw new Error(`fewer than ${count} alerts for ${symbol} after 120 s`);
  };

  it('publish: ticks through the queue and a trade through the bus become alerts', { timeout: 180_000 }, async () => {
    const file = join(home, 'session.jsonl');
    const lines = [
      JSON.stringify({ symbol, price: 140, timestamp: ago(60) }),
      JSON.stringify({ symbol, price: 155.5, timestamp: ago(50) }),
      JSON.stringify({ symbol, price: 156, timestamp: ago(40) }),
      JSON.stringify({ symbol, price: -1 }),
      JSON.stringify({
        source: 'market.data',
        'detail-type': 'Trade Execution',
        time: ago(30),
        detail: { exchange: 'NYSE', symbol, price: 45, volume: 100 },
      }),
    ];
    await writeFile(file, `${lines.join('\n')}\n`);
    const published = await marketData(['publish', file, '--json', ...target], env());
    expect(published.stderr).toBe('');
    expect(published.code).toBe(0);
    expect(JSON.parse(published.stdout)).toMatchObject({ ticksSent: 4, eventsSent: 1, failed: [] });
    const alerts = await waitForAlerts(2);
    expect(alerts.map((a) => [a.alert_type, a.price])).toEqual([
      ['HIGH', 155.5],
      ['LOW', 45],
    ]);
  });

  it('rules: set, list and delete on the deployed table', { timeout: 60_000 }, async () => {
    expect((await marketData(['rules', 'set', symbol, '--above', '500', '--below', '1', ...target], env())).code).toBe(0);
    const list = JSON.parse((await marketData(['rules', 'list', '--json', ...target], env())).stdout) as {
      symbols: { symbol: string; override: unknown }[];
    };
    expect(list.symbols.find((s) => s.symbol === symbol)?.override).toEqual({ above: 500, below: 1 });
    expect((await marketData(['rules', 'delete', symbol, ...target], env())).code).toBe(0);
  });

  it('dlq list reads the deployed dead-letter queues', { timeout: 60_000 }, async () => {
    const { code, stdout } = await marketData(['dlq', 'list', '--json', '--limit', '10', ...target], env());
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toHaveProperty('ticks.queueUrl');
  });
});
