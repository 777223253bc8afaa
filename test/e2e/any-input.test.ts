import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../src/adapters/aws/index.js';
import { openLocalStore } from '../../src/local/emulation/store.js';
import { marketData } from '../support/cli.js';

const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

/** A trade line whose detail holds `extra` as JSON text (so numbers stay exactly as written). */
const tradeLine = (symbol: string, extra: string, minutesAgo: number) =>
  `{"source":"market.data","detail-type":"Trade Execution","time":"${ago(minutesAgo)}","detail":{"symbol":"${symbol}","exchange":"NYSE","price":155.5,"volume":1,"extra":${extra}}}`;

/** A value nested `levels` deep, as JSON text: built as text, since JSON.stringify itself could not write it. */
const deepJson = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

describe('the local run survives any input, and stores numbers as sent', () => {
  let home: string;
  let env: Record<string, string>;
  let file: string;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'market-data-any-input-'));
    env = { MARKET_DATA_HOME: home, ENVIRONMENT_SUFFIX: 'anyinput' };
    file = join(home, 'hostile.jsonl');
    await writeFile(
      file,
      [
        tradeLine('DEEPA', deepJson(6_000), 5),
        JSON.stringify({ symbol: 'AAPL', price: 151, timestamp: ago(4) }),
        tradeLine('DEEPB', deepJson(100_000), 3),
        tradeLine('NUM', '{"a":1e16,"b":-1e16,"c":9.99e125,"d":12345678901234567890123456789012345678,"e":9007199254740992,"f":1e-130}', 2),
      ].join('\n'),
    );
  });
  afterAll(() => rm(home, { recursive: true, force: true }));

  it('replay dead-letters events 6 000 and 100 000 levels deep, goes on, and exits 0 (3 with --strict)', { timeout: 120_000 }, async () => {
    const { code, stdout, stderr } = await marketData(['replay', file], env);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('DLQ   line 1 (event): detail: nests deeper than 16 levels');
    expect(stdout).toContain('DLQ   line 3 (event): detail: nests deeper than 16 levels');
    expect(stdout).toMatch(/^ALERT HIGH {2}AAPL 151 > 150 at /m);
    expect(stdout).toMatch(/^ALERT HIGH {2}NUM +155\.5 > 150 at /m);
    expect(stdout).toContain('market events  3 in: 1 stored, 0 already stored, 2 to the DLQ, 0 matched no rule');
    const dlq = await marketData(['dlq', 'list', '--json', '--queue', 'events'], env);
    expect(dlq.code).toBe(0);
    const { events } = JSON.parse(dlq.stdout) as { events: { total: number; items: Record<string, unknown>[] } };
    expect(events.total).toBe(2);
    expect(events.items.map((i) => [i.origin, i.reason, i.truncated, (i.event as { detail: unknown }).detail])).toEqual(
      [1, 3].map((line) => [{ file, line }, 'detail: nests deeper than 16 levels', true, 'left out: event: nests deeper than 64 levels']),
    );
    const strict = await marketData(['replay', file, '--strict', '-q'], env);
    expect(strict.code).toBe(3);
  });

  it('a redrive keeps a cut-down event in the DLQ with its reason', async () => {
    const { code, stdout } = await marketData(['dlq', 'redrive', '--queue', 'events'], env);
    expect(code).toBe(0);
    expect(stdout).toContain(
      'DLQ   line 1 (event): detail: nests deeper than 16 levels (kept: its detail was left out, so it cannot be redriven; publish it again from its source)',
    );
    const after = JSON.parse((await marketData(['dlq', 'list', '--json', '--queue', 'events'], env)).stdout) as {
      events: { total: number; items: { reason: string }[] };
    };
    expect(after.events.total).toBe(4);
    expect(new Set(after.events.items.map((i) => i.reason))).toEqual(new Set(['detail: nests deeper than 16 levels']));
  });

  it('market-data holds the trade with numbers beyond 2^53 exactly as received', async () => {
    const store = await openLocalStore({ environment: 'anyinput', home });
    try {
      const { Items } = await createDocumentClient(store.client).send(new ScanCommand({ TableName: 'market-data-anyinput' }));
      const trades = (Items ?? []).filter((i) => i.symbol === 'NUM');
      // Replayed twice (the --strict run): stored once per event id, each the same.
      expect(trades).toHaveLength(2);
      for (const trade of trades) {
        expect((trade.detail as { extra: unknown }).extra).toStrictEqual({
          a: 10000000000000000,
          b: -10000000000000000,
          c: 9.99e125,
          d: 1.2345678901234568e37,
          e: 9007199254740992,
          f: 1e-130,
        });
      }
    } finally {
      await store.close();
    }
  });
});
