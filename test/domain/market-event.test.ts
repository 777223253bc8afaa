import { describe, expect, it } from 'vitest';
import { identityOf, parseMarketEvent, quoted, tickKey, tickOf, type MarketEventRouting } from '../../src/domain/index.js';

const NOW = Date.parse('2026-11-23T15:00:00Z');
const routing: MarketEventRouting = {
  source: 'market.data',
  detailTypes: { trade: ['Trade Execution', 'Trade Update'], quote: ['Market Quote', 'Price Update'] },
};
const event = (detailType: string, detail: unknown, overrides: Record<string, unknown> = {}) => ({
  version: '0',
  id: 'evt-1',
  source: 'market.data',
  'detail-type': detailType,
  time: '2026-11-23T14:59:00Z',
  account: '123456789012',
  region: 'us-east-1',
  resources: [],
  detail,
  ...overrides,
});

describe('parseMarketEvent', () => {
  it("accepts the source documents' trade event", () => {
    const result = parseMarketEvent(event('Trade Execution', { exchange: 'NYSE', symbol: 'AAPL', price: 150.25, volume: 1000 }), routing, NOW);
    expect(result).toMatchObject({
      ok: true,
      value: {
        eventId: 'evt-1',
        eventType: 'Trade Execution',
        kind: 'trade',
        symbol: 'AAPL',
        exchange: 'NYSE',
        price: 150.25,
        volume: 1000,
        eventTime: Date.parse('2026-11-23T14:59:00Z'),
      },
    });
  });

  it('accepts a quote with bid and ask only, keeps extra detail fields, and prefers the detail timestamp', () => {
    const result = parseMarketEvent(
      event('Market Quote', { exchange: 'NASDAQ', symbol: 'MSFT', bid: 410.1, ask: 410.3, timestamp: '2026-11-23T14:58:00Z', venue: 'X' }),
      routing,
      NOW,
    );
    expect(result).toMatchObject({
      ok: true,
      value: { kind: 'quote', bid: 410.1, ask: 410.3, eventTime: Date.parse('2026-11-23T14:58:00Z'), detail: { venue: 'X' } },
    });
    if (result.ok) expect(tickOf(result.value)).toBeUndefined();
  });

  it('keeps exactly the fields a quote sent, and takes bid equal to ask or a price with one side only', () => {
    const time = Date.parse('2026-11-23T14:59:00Z');
    const quote = parseMarketEvent(event('Market Quote', { exchange: 'NYSE', symbol: 'T', bid: 20, ask: 20 }), routing, NOW);
    expect(quote).toEqual({
      ok: true,
      value: {
        eventId: 'evt-1',
        eventType: 'Market Quote',
        kind: 'quote',
        symbol: 'T',
        exchange: 'NYSE',
        eventTime: time,
        bid: 20,
        ask: 20,
        detail: { exchange: 'NYSE', symbol: 'T', bid: 20, ask: 20 },
      },
    });
    expect(parseMarketEvent(event('Price Update', { exchange: 'NYSE', symbol: 'T', price: 20, ask: 21 }), routing, NOW).ok).toBe(true);
    expect(parseMarketEvent(event('Price Update', { exchange: 'NYSE', symbol: 'T', price: 20, bid: 21 }), routing, NOW).ok).toBe(true);
    expect(parseMarketEvent(event('Market Quote', { exchange: 'NYSE', symbol: 'T', ask: 21 }), routing, NOW)).toEqual({
      ok: false,
      reason: 'detail.price: a quote needs a price, or both bid and ask',
    });
    const priced = parseMarketEvent(event('Price Update', { exchange: 'NYSE', symbol: 'T', price: 20 }), routing, NOW);
    expect(priced.ok && priced.value).toEqual({
      eventId: 'evt-1',
      eventType: 'Price Update',
      kind: 'quote',
      symbol: 'T',
      exchange: 'NYSE',
      eventTime: time,
      price: 20,
      detail: { exchange: 'NYSE', symbol: 'T', price: 20 },
    });
    expect(priced.ok && tickOf(priced.value)).toEqual({ key: tickKey('T', time, 20), symbol: 'T', price: 20, eventTime: time, exchange: 'NYSE' });
  });

  it('takes a detail of exactly 4 096 bytes and no more', () => {
    const detail = { exchange: 'NYSE', symbol: 'T', price: 20, volume: 1, pad: '' };
    detail.pad = 'x'.repeat(4096 - JSON.stringify(detail).length);
    expect(parseMarketEvent(event('Trade Execution', detail), routing, NOW).ok).toBe(true);
    expect(parseMarketEvent(event('Trade Execution', { ...detail, pad: `${detail.pad}x` }), routing, NOW)).toEqual({
      ok: false,
      reason: 'detail is 4097 bytes; a market event detail is at most 4096 bytes',
    });
  });

  it('turns a price-bearing event into a tick', () => {
    const result = parseMarketEvent(event('Price Update', { exchange: 'NYSE', symbol: 'IBM', price: 42, volume: 5 }), routing, NOW);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(tickOf(result.value)).toEqual({
        key: tickKey('IBM', Date.parse('2026-11-23T14:59:00Z'), 42),
        symbol: 'IBM',
        price: 42,
        eventTime: Date.parse('2026-11-23T14:59:00Z'),
        exchange: 'NYSE',
        volume: 5,
      });
    }
  });

  it.each([
    ['a non-object', 'hello', /message: /],
    ['a wrong source', event('Trade Execution', {}, { source: 'other' }), /source: expected "market.data" \(got "other"\)/],
    ['an unknown detail-type', event('Order Placed', {}), /detail-type: "Order Placed" is not a trade or quote event/],
    ['a trade without volume', event('Trade Update', { exchange: 'NYSE', symbol: 'AAPL', price: 1 }), /detail.volume: must be a number/],
    [
      'a quote without any price',
      event('Market Quote', { exchange: 'NYSE', symbol: 'AAPL', bid: 1 }),
      /detail.price: a quote needs a price, or both bid and ask/,
    ],
    ['a crossed quote', event('Market Quote', { exchange: 'NYSE', symbol: 'AAPL', bid: 2, ask: 1 }), /detail.bid: must not be greater than ask/],
    ['a missing exchange', event('Trade Execution', { symbol: 'AAPL', price: 1, volume: 1 }), /detail.exchange: must be a string/],
    ['a detail that is not an object', event('Trade Execution', 'x'), /detail: detail must be an object/],
    [
      'an oversized detail',
      event('Trade Execution', { exchange: 'NYSE', symbol: 'AAPL', price: 1, volume: 1, pad: 'x'.repeat(5000) }),
      /detail is \d+ bytes/,
    ],
    [
      'a future timestamp',
      event('Trade Execution', { exchange: 'NYSE', symbol: 'AAPL', price: 1, volume: 1, timestamp: NOW + 3_600_000 }),
      /detail.timestamp: is more than 5 minutes/,
    ],
  ])('rejects %s', (_name, raw, reason) => {
    const result = parseMarketEvent(raw, routing, NOW);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('identifies even an invalid event for the audit trail', () => {
    expect(identityOf(event('Order Placed', {}))).toEqual({ eventId: 'evt-1', eventType: 'Order Placed', time: '2026-11-23T14:59:00.000Z' });
    expect(identityOf(null)).toEqual({ eventId: 'unknown', eventType: 'unknown', time: '1970-01-01T00:00:00.000Z' });
    expect(identityOf({ id: 7, 'detail-type': ['x'], time: 'yesterday' })).toEqual({
      eventId: 'unknown',
      eventType: 'unknown',
      time: '1970-01-01T00:00:00.000Z',
    });
    expect(identityOf({ id: 'evt\n\u001b[2J', time: '9'.repeat(100) })).toEqual({
      eventId: expect.stringMatching(/^evt\?\?\[2J…#[0-9a-f]{16}$/),
      eventType: 'unknown',
      time: '1970-01-01T00:00:00.000Z',
    });
  });

  it('bounds what a reason quotes', () => {
    expect(quoted('abc')).toBe('"abc"');
    expect(quoted('x'.repeat(64))).toBe(`"${'x'.repeat(64)}"`);
    expect(quoted('x'.repeat(100))).toBe(`"${'x'.repeat(64)}…"`);
  });

  it('reads an envelope time of up to 64 characters', () => {
    const long = `Mon, 23 Nov 2026 14:59:00 GMT (${'x'.repeat(32)})`;
    expect(long).toHaveLength(64);
    expect(identityOf({ time: long }).time).toBe('2026-11-23T14:59:00.000Z');
    expect(identityOf({ time: long.replace('(', '(x') }).time).toBe('1970-01-01T00:00:00.000Z');
  });

  it('rejects before any recursive walk a detail that nests too deep or holds numbers no store can', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i++) deep = { a: deep };
    expect(parseMarketEvent(event('Trade Execution', { exchange: 'NYSE', symbol: 'AAPL', price: 151, volume: 1, x: deep }), routing, NOW)).toEqual({
      ok: false,
      reason: 'detail: nests deeper than 16 levels',
    });
    expect(parseMarketEvent(event('Trade Execution', { exchange: 'NYSE', symbol: 'AAPL', price: 151, volume: 1, x: [1e130] }), routing, NOW)).toEqual(
      {
        ok: false,
        reason: 'detail.x.0: 1e+130 is outside what can be stored (0, or a magnitude from 1e-130 to below 1e+126)',
      },
    );
    expect(parseMarketEvent({ ...event('Trade Execution', {}), source: 'evil'.repeat(1000) }, routing, NOW)).toMatchObject({
      reason: expect.stringMatching(/^source: expected "market.data" \(got "(evil){16}…"\)$/),
    });
  });
});
