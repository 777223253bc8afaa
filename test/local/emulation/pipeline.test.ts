import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TickDeadLetter } from '../../../src/local/emulation/dead-letter-store.js';
import { localPaths, type LocalPaths } from '../../../src/local/emulation/paths.js';
import { createLocalPipeline } from '../../../src/local/emulation/pipeline.js';
import { RunStats, type Problem } from '../../../src/local/emulation/run-stats.js';
import { summaryOf } from '../../../src/local/sessions/summary.js';
import type { Alert } from '../../../src/domain/index.js';
import { startLocalDynamo, type LocalDynamo } from '../../support/dynamo.js';

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

describe('local pipeline on the real handlers', () => {
  let db: LocalDynamo;
  let dir: string;
  let paths: LocalPaths;

  beforeAll(async () => {
    db = await startLocalDynamo('test');
    dir = await mkdtemp(join(tmpdir(), 'pipeline-'));
    paths = localPaths(dir, 'test');
  });
  afterAll(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('raises alerts, stores market events and dead-letters what is invalid, with reasons', async () => {
    const problems: Problem[] = [];
    const alerted: Alert[] = [];
    const stats = new RunStats((p) => problems.push(p));
    const pipeline = createLocalPipeline({
      environment: 'test',
      region: 'us-east-1',
      documents: db.documents,
      paths,
      stats,
      onAlert: (a) => alerted.push(a),
    });
    await pipeline.sendTick(JSON.stringify({ symbol: 'AAPL', price: 149, timestamp: minutesAgo(30) }), { file: 'f', line: 1 });
    await pipeline.sendTick(JSON.stringify({ symbol: 'AAPL', price: 151, timestamp: minutesAgo(29) }), { file: 'f', line: 2 });
    await pipeline.sendTick(JSON.stringify({ symbol: 'AAPL', price: -1 }), { file: 'f', line: 3 });
    await pipeline.putEvent(
      {
        source: 'market.data',
        detailType: 'Trade Execution',
        detail: { exchange: 'NYSE', symbol: 'F', price: 49, volume: 100 },
        time: minutesAgo(20),
      },
      { file: 'f', line: 4 },
    );
    await pipeline.putEvent(
      { source: 'market.data', detailType: 'Trade Execution', detail: { symbol: 'F', price: 49, volume: 1 } },
      { file: 'f', line: 5 },
    );
    await pipeline.putEvent({ source: 'market.data', detailType: 'Order Cancel', detail: {} }, { file: 'f', line: 6 });
    await pipeline.drain();

    const summary = summaryOf(stats, 'test', ['f'], 1000);
    expect(summary.ticks).toEqual({ in: 3, processed: 2, deadLettered: 1, late: 0 });
    expect(summary.alerts).toEqual({ total: 2, HIGH: 1, LOW: 1 });
    expect(summary.marketEvents).toEqual({ in: 3, stored: 1, alreadyStored: 0, deadLettered: 1, unmatched: 1, late: 0 });
    expect(alerted.map((a) => `${a.alertType} ${a.symbol} ${a.price} ${a.threshold}`).sort()).toEqual(['HIGH AAPL 151 150', 'LOW F 49 50']);
    expect(problems.map((p) => [p.origin?.line, p.outcome, p.reason])).toEqual(
      expect.arrayContaining([
        [3, 'dead-lettered', 'price: must be greater than 0'],
        [5, 'dead-lettered', 'detail.exchange: must be a string'],
        [6, 'unmatched', expect.stringContaining('detail-type "Order Cancel"')],
      ]),
    );
    expect(await db.scan(db.names.alertsTable)).toHaveLength(2);
    expect(await db.scan(db.names.marketDataTable)).toHaveLength(1);
    const dlq = (await readFile(paths.ticksDlq, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(dlq).toEqual([
      expect.objectContaining({
        body: '{"symbol":"AAPL","price":-1}',
        receiveCount: 3,
        reason: 'price: must be greater than 0',
        origin: { file: 'f', line: 3 },
      }),
    ]);
    const notifications = (await readFile(paths.notifications, 'utf8')).trim().split('\n');
    expect(notifications).toHaveLength(2);
  });

  it('reports each tick and price-bearing event beyond the lateness horizon with its input line, as the functions tell it', async () => {
    vi.stubEnv('ALERT_LATENESS_HORIZON_TICKS', '2');
    try {
      const problems: Problem[] = [];
      const stats = new RunStats((p) => problems.push(p));
      const pipeline = createLocalPipeline({ environment: 'test', region: 'us-east-1', documents: db.documents, paths, stats });
      const base = Date.now();
      const time = (minutes: number) => new Date(base - minutes * 60_000).toISOString();
      const tick = (minutes: number, price = 100) => JSON.stringify({ symbol: 'LTK', price, timestamp: time(minutes) });
      const trade = (minutes: number, price = 100) => ({
        source: 'market.data',
        detailType: 'Trade Execution',
        detail: { exchange: 'NYSE', symbol: 'LEV', price, volume: 1 },
        time: time(minutes),
      });
      for (const [line, minutes] of [
        [1, 10],
        [2, 9],
      ] as const) {
        await pipeline.sendTick(tick(minutes), { file: 'late.jsonl', line });
        await pipeline.putEvent(trade(minutes), { file: 'late.jsonl', line: line + 10 });
      }
      await pipeline.drain();
      expect(problems).toEqual([]);
      // Older than the two newest observations of their symbol, in a later batch: acknowledged, not applied.
      await pipeline.sendTick(tick(11, 151), { file: 'late.jsonl', line: 4 });
      await pipeline.putEvent(trade(11, 151), { file: 'late.jsonl', line: 14 });
      await pipeline.drain();
      const summary = summaryOf(stats, 'test', ['late.jsonl'], 1000);
      expect(summary.ticks).toEqual({ in: 3, processed: 3, deadLettered: 0, late: 1 });
      expect(summary.marketEvents).toMatchObject({ in: 3, stored: 3, deadLettered: 0, late: 1 });
      expect(summary.alerts.total).toBe(0);
      const reason = (symbol: string) => `beyond the lateness horizon: acknowledged, not applied (${symbol} 151 at ${time(11)})`;
      expect([...problems].sort((a, b) => a.kind.localeCompare(b.kind))).toEqual([
        { kind: 'event', outcome: 'late', reason: reason('LEV'), origin: { file: 'late.jsonl', line: 14 } },
        { kind: 'tick', outcome: 'late', reason: reason('LTK'), origin: { file: 'late.jsonl', line: 4 } },
      ]);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('redrives dead letters: still-invalid ones return to their queue, a tick with a new message id and sent time', async () => {
    const stats = new RunStats();
    const pipeline = createLocalPipeline({ environment: 'test', region: 'us-east-1', documents: db.documents, paths, stats });
    const letters = async () => {
      const all: TickDeadLetter[] = [];
      for await (const letter of pipeline.ticksDlq.entries()) all.push(letter);
      return all;
    };
    const [before] = await letters();
    const redriven = Date.now();
    await pipeline.ticksDlq.redrive(async (letters) => {
      for (const letter of letters) await pipeline.redriveTick(letter);
      await pipeline.drain();
    });
    await pipeline.eventsDlq.redrive(async (letters) => {
      for (const letter of letters) await pipeline.redriveEvent(letter);
      await pipeline.drain();
    });
    expect(stats.ticksDeadLettered).toBe(1);
    expect(stats.eventsDeadLettered).toBe(1);
    expect(await pipeline.ticksDlq.count()).toBe(1);
    expect(await pipeline.eventsDlq.count()).toBe(1);
    const [after] = await letters();
    expect(after).toMatchObject({ body: before!.body, originalMessageId: before!.messageId, origin: before!.origin, receiveCount: 3 });
    expect(after!.messageId).not.toBe(before!.messageId);
    expect(after!.sentTimestamp).toBeGreaterThanOrEqual(redriven);
  });

  it('redrives a tick without a timestamp as a new observation: its event time is the moment of the redrive', async () => {
    vi.stubEnv('ALERT_LATENESS_HORIZON_TICKS', '2');
    try {
      const redrivePaths = localPaths(dir, 'redrive');
      const problems: Problem[] = [];
      const alerted: Alert[] = [];
      const stats = new RunStats((p) => problems.push(p));
      const pipeline = createLocalPipeline({
        environment: 'test',
        region: 'us-east-1',
        documents: db.documents,
        paths: redrivePaths,
        stats,
        onAlert: (a) => alerted.push(a),
      });
      for (const minutes of [9, 8]) await pipeline.sendTick(JSON.stringify({ symbol: 'RDV', price: 100, timestamp: minutesAgo(minutes) }));
      await pipeline.drain();
      // Dead-lettered an hour ago: with its first sent time it would be far beyond the horizon, and raise nothing.
      const hourAgo = Date.now() - 3_600_000;
      await pipeline.ticksDlq.append([
        {
          messageId: 'm-rdv',
          body: '{"symbol":"RDV","price":151}',
          sentTimestamp: hourAgo,
          receiveCount: 3,
          reason: 'notification rejected',
          deadLetteredAt: new Date(hourAgo).toISOString(),
          origin: { file: 'f', line: 9 },
        },
      ]);
      const redriven = Date.now();
      await pipeline.ticksDlq.redrive(async (letters) => {
        for (const letter of letters) await pipeline.redriveTick(letter);
        await pipeline.drain();
      });
      expect(problems).toEqual([]);
      expect(alerted.map((a) => `${a.alertType} ${a.symbol} ${a.price}`)).toEqual(['HIGH RDV 151']);
      expect(alerted[0]!.eventTime).toBeGreaterThanOrEqual(redriven);
      expect(await pipeline.ticksDlq.count()).toBe(0);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('keeps the real reason of a processing failure in the dead letter', async () => {
    const stats = new RunStats();
    const broken = localPaths(dir, 'broken');
    // Tables that do not exist: every valid tick fails in processing, on each of its receives.
    const pipeline = createLocalPipeline({
      environment: 'test',
      region: 'us-east-1',
      documents: db.documents,
      tableNames: { alertRules: 'no-such-rules', alerts: 'no-such-alerts', marketData: 'no-such-data' },
      paths: broken,
      stats,
    });
    await pipeline.sendTick(JSON.stringify({ symbol: 'KO', price: 61, timestamp: minutesAgo(5) }), { file: 'f', line: 1 });
    // A valid event whose store is missing fails each of its attempts (the first and two retries), then goes to the DLQ.
    await pipeline.putEvent(
      { source: 'market.data', detailType: 'Trade Execution', detail: { exchange: 'NYSE', symbol: 'F', price: 12, volume: 1 }, time: minutesAgo(4) },
      { file: 'f', line: 2 },
    );
    await pipeline.drain();
    const [event] = (await readFile(broken.eventsDlq, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { reason: string; attempts: number; rule: string; origin: unknown });
    expect(event).toMatchObject({ attempts: 3, rule: 'trade-events', origin: { file: 'f', line: 2 } });
    expect(event!.reason).toMatch(/resource not found|ResourceNotFound/i);
    expect(stats.eventsDeadLettered).toBe(1);
    const [letter] = (await readFile(broken.ticksDlq, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { reason: string; receiveCount: number });
    expect(letter!.receiveCount).toBe(3);
    expect(letter!.reason).toMatch(/resource not found|ResourceNotFound/i);
    expect(letter!.reason).not.toContain('run with --verbose');
  });
});
