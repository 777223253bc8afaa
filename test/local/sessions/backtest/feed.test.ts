import { describe, expect, it } from 'vitest';
import { FileOrderClock, feedRecord } from '../../../../src/local/sessions/backtest/feed.js';

const NOW = Date.UTC(2026, 10, 23);
const T = Date.UTC(2026, 10, 20, 14, 30);
const tick = (body: unknown, line: number) => ({ kind: 'tick' as const, line, body: JSON.stringify(body) });
const event = (detailType: string, detail: Record<string, unknown>, line: number, time?: string) => ({
  kind: 'event' as const,
  line,
  entry: { source: 'market.data', detailType, detail, ...(time && { time }) },
});

describe('feeding records to the backtest', () => {
  it('times a message without a timestamp 1 ms after the record before it, from 2000-01-01 on', () => {
    const clock = new FileOrderClock();
    const feed = (record: Parameters<typeof feedRecord>[0]) => feedRecord(record, 'f.jsonl', 0, clock, NOW);
    const first = feed(tick({ symbol: 'AAPL', price: 1 }, 1));
    expect(first).toMatchObject({ kind: 'tick', untimed: true, tick: { eventTime: Date.UTC(2000, 0, 1) } });
    expect(feed(tick({ symbol: 'AAPL', price: 1, timestamp: T }, 2))).toMatchObject({ kind: 'tick', untimed: false, tick: { eventTime: T } });
    // An invalid record moves nothing.
    expect(feed(tick({ symbol: 'AAPL', price: -1, timestamp: T + 9 }, 3))).toMatchObject({ kind: 'invalid', symbol: 'AAPL' });
    expect(feed(event('Trade Execution', { exchange: 'NYSE', symbol: 'F', price: 12, volume: 1 }, 4))).toMatchObject({
      kind: 'event-tick',
      untimed: true,
      tick: { symbol: 'F', eventTime: T + 1 },
    });
    expect(feed(tick({ symbol: 'KO', price: 60 }, 5))).toMatchObject({ tick: { eventTime: T + 2 } });
  });

  it('sorts events: with a price, without one, invalid, or matching no rule of the bus', () => {
    const clock = new FileOrderClock();
    const feed = (record: Parameters<typeof feedRecord>[0]) => feedRecord(record, 'f.jsonl', 1, clock, NOW);
    const at = new Date(T).toISOString();
    expect(feed(event('Market Quote', { exchange: 'NYSE', symbol: 'F', bid: 1, ask: 2 }, 1, at))).toEqual({
      kind: 'event-without-price',
      symbol: 'F',
      origin: { file: 'f.jsonl', line: 1 },
    });
    expect(feed(event('Trade Execution', { symbol: 'F', price: 1, volume: 1 }, 2, at))).toEqual({
      kind: 'invalid',
      source: 'event',
      symbol: 'F',
      reason: 'detail.exchange: must be a string',
      origin: { file: 'f.jsonl', line: 2 },
    });
    expect(feed(event('Order Cancel', { symbol: 'F' }, 3, at))).toMatchObject({
      kind: 'unmatched',
      reason: 'no rule of the bus matches source "market.data" and detail-type "Order Cancel"',
    });
    expect(feed({ kind: 'bad', line: 4, reason: 'expected 2 columns, got 3' })).toEqual({
      kind: 'unreadable',
      reason: 'expected 2 columns, got 3',
      origin: { file: 'f.jsonl', line: 4 },
    });
  });
});
