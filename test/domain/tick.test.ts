import { describe, expect, it } from 'vitest';
import { LIMITS, messageSource, parseTick, tickKey } from '../../src/domain/index.js';

const NOW = Date.parse('2026-11-23T15:00:00Z');
const SENT = Date.parse('2026-11-23T14:59:59Z');
const parse = (body: unknown, sentTimestamp = SENT) =>
  parseTick({ body: typeof body === 'string' ? body : JSON.stringify(body), sentTimestamp }, NOW);

describe('parseTick', () => {
  it("accepts the source documents' message and takes the event time from SentTimestamp", () => {
    const result = parse({ symbol: 'AAPL', price: 155.25 });
    expect(result).toEqual({
      ok: true,
      value: {
        key: tickKey('AAPL', SENT, 155.25),
        symbol: 'AAPL',
        price: 155.25,
        eventTime: SENT,
        source: messageSource('{"symbol":"AAPL","price":155.25}'),
      },
    });
  });

  it('names the message of a tick timed by the queue, which a redrive re-times, and only that', () => {
    const body = '{"symbol":"AAPL","price":155.25}';
    const first = parseTick({ body, sentTimestamp: SENT }, SENT);
    const redriven = parseTick({ body, sentTimestamp: SENT + 60_000 }, SENT + 60_000);
    expect(first.ok && redriven.ok && first.value.key !== redriven.value.key && first.value.source === redriven.value.source).toBe(true);
    expect(messageSource(body)).toMatch(/^[0-9a-f]{32}$/);
    expect(messageSource(body)).not.toBe(messageSource('{"symbol":"AAPL","price":155.26}'));
    const timed = parse({ symbol: 'AAPL', price: 155.25, timestamp: SENT });
    expect(timed.ok && 'source' in timed.value).toBe(false);
  });

  it('accepts the optional fields and both timestamp forms', () => {
    const iso = parse({
      symbol: 'BRK.B',
      price: 410.5,
      timestamp: '2026-11-23T14:30:00.000+01:00',
      volume: 100,
      exchange: 'NYSE',
      bid: 410.4,
      ask: 410.6,
    });
    expect(iso).toMatchObject({
      ok: true,
      value: { eventTime: Date.parse('2026-11-23T13:30:00Z'), volume: 100, exchange: 'NYSE', bid: 410.4, ask: 410.6 },
    });
    const epoch = parse({ symbol: 'EUR/USD', price: 1.08, timestamp: Date.parse('2026-11-23T14:00:00Z') });
    expect(epoch).toMatchObject({ ok: true, value: { eventTime: Date.parse('2026-11-23T14:00:00Z') } });
  });

  it('gives the same key to a redelivery and a different key to another observation', () => {
    const a = parse({ symbol: 'AAPL', price: 155.25, timestamp: 1_790_000_000_000 });
    const b = parse({ symbol: 'AAPL', price: 155.25, timestamp: 1_790_000_000_000 });
    const c = parse({ symbol: 'AAPL', price: 155.26, timestamp: 1_790_000_000_000 });
    expect(a.ok && b.ok && c.ok).toBe(true);
    if (a.ok && b.ok && c.ok) {
      expect(a.value.key).toBe(b.value.key);
      expect(a.value.key).not.toBe(c.value.key);
    }
  });

  it.each([
    ['not JSON', '{"symbol": "AAPL", price: 1}', /body is not valid JSON/],
    ['a JSON array', '[1,2]', /body must be a JSON object/],
    ['JSON null', 'null', /body must be a JSON object/],
    ['missing symbol', { price: 10 }, /symbol: must be a string/],
    ['missing price', { symbol: 'AAPL' }, /price: must be a finite number/],
    ['price as a string', { symbol: 'AAPL', price: '155.25' }, /price: must be a finite number/],
    ['NaN price (as a string)', { symbol: 'AAPL', price: 'NaN' }, /price: must be a finite number/],
    ['zero price', { symbol: 'AAPL', price: 0 }, /price: must be greater than 0/],
    ['negative price', { symbol: 'AAPL', price: -1 }, /price: must be greater than 0/],
    ['huge price', { symbol: 'AAPL', price: 1e12 }, /price: must be at most 1000000000/],
    ['overflowing price', '{"symbol":"AAPL","price":1e400}', /price: must be a finite number/],
    ['lowercase symbol', { symbol: 'aapl', price: 1 }, /symbol: must be 1-16 characters/],
    ['symbol with spaces', { symbol: 'AA PL', price: 1 }, /symbol: must be 1-16 characters/],
    ['too long symbol', { symbol: 'A'.repeat(17), price: 1 }, /symbol: must be 1-16 characters/],
    ['numeric symbol', { symbol: 42, price: 1 }, /symbol: must be a string/],
    ['bad volume', { symbol: 'AAPL', price: 1, volume: 1.5 }, /volume: must be a whole number/],
    ['negative volume', { symbol: 'AAPL', price: 1, volume: -3 }, /volume: must not be negative/],
    ['bad exchange', { symbol: 'AAPL', price: 1, exchange: 'ny se' }, /exchange: must be 1-16/],
    ['crossed bid/ask', { symbol: 'AAPL', price: 1, bid: 2, ask: 1 }, /bid: must not be greater than ask/],
    ['timestamp without zone', { symbol: 'AAPL', price: 1, timestamp: '2026-11-23T14:00:00' }, /timestamp: must be ISO-8601 with a time zone/],
    ['timestamp in seconds', { symbol: 'AAPL', price: 1, timestamp: 1_790_000_000 }, /timestamp: must be on or after 2000-01-01/],
    ['timestamp in the future', { symbol: 'AAPL', price: 1, timestamp: NOW + 3_600_000 }, /more than 5 minutes in the future/],
  ])('rejects %s with a reason naming the field', (_name, body, reason) => {
    const result = parse(body);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('reports every problem of a message at once', () => {
    const result = parse({ symbol: 'x', price: -1 });
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/^symbol: .*; price: must be greater than 0$/) });
  });

  it('rejects an oversized body before parsing it', () => {
    const result = parse(JSON.stringify({ symbol: 'AAPL', price: 1, note: 'x'.repeat(LIMITS.maxMessageBytes) }));
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/^body is \d+ bytes; a tick is at most 4096 bytes$/) });
  });

  it('takes the limits themselves: a 4 096-byte body, a price of 1 000 000 000, 2000-01-01, five minutes ahead, bid equal to ask', () => {
    const base = JSON.stringify({ symbol: 'AAPL', price: 1, pad: '' });
    const exactly = base.replace('"pad":""', `"pad":"${'x'.repeat(LIMITS.maxMessageBytes - base.length)}"`);
    expect(Buffer.byteLength(exactly)).toBe(4096);
    expect(parse(exactly).ok).toBe(true);
    expect(parse(exactly.replace('"pad":"', '"pad":"y'))).toEqual({ ok: false, reason: 'body is 4097 bytes; a tick is at most 4096 bytes' });
    expect(parse({ symbol: 'AAPL', price: 1_000_000_000 }).ok).toBe(true);
    expect(parse({ symbol: 'AAPL', price: 1, timestamp: Date.UTC(2000, 0, 1) }).ok).toBe(true);
    expect(parse({ symbol: 'AAPL', price: 1, timestamp: Date.UTC(2000, 0, 1) - 1 })).toEqual({
      ok: false,
      reason: 'timestamp: must be on or after 2000-01-01T00:00:00Z (got 946684799999)',
    });
    expect(parse({ symbol: 'AAPL', price: 1, timestamp: NOW + 300_000 }).ok).toBe(true);
    expect(parse({ symbol: 'AAPL', price: 1, timestamp: NOW + 300_001 })).toEqual({
      ok: false,
      reason: `timestamp: is more than 5 minutes in the future (got ${NOW + 300_001})`,
    });
    expect(parse({ symbol: 'AAPL', price: 1, bid: 1, ask: 1 }).ok).toBe(true);
    expect(parse({ symbol: 'AAPL', price: 1, bid: 2 }).ok).toBe(true);
    expect(parse({ symbol: 'AAPL', price: 1, ask: 0.5 }).ok).toBe(true);
  });

  it('counts a body in UTF-8 bytes, not characters', () => {
    const body = JSON.stringify({ symbol: 'AAPL', price: 1, note: 'é'.repeat(2100) });
    expect(body.length).toBeLessThan(4096);
    expect(parse(body)).toEqual({ ok: false, reason: `body is ${Buffer.byteLength(body)} bytes; a tick is at most 4096 bytes` });
  });

  it('keeps exactly the optional fields that were sent', () => {
    const at = Date.parse('2026-11-23T14:00:00Z');
    expect(parse({ symbol: 'AAPL', price: 2, timestamp: at, volume: 0, exchange: 'NYSE', bid: 1, ask: 3 })).toEqual({
      ok: true,
      value: { key: tickKey('AAPL', at, 2), symbol: 'AAPL', price: 2, eventTime: at, volume: 0, exchange: 'NYSE', bid: 1, ask: 3 },
    });
  });

  it('ignores unknown fields', () => {
    expect(parse({ symbol: 'AAPL', price: 1, source: 'feed-a' }).ok).toBe(true);
  });

  it('accepts only prices every store can hold: 1e-200 is refused, so it can never fail its batch later', () => {
    expect(parse({ symbol: 'AAPL', price: 1e-200 })).toEqual({ ok: false, reason: 'price: must be at least 1e-12' });
    expect(parse({ symbol: 'AAPL', price: 155, bid: 1e-200, ask: 156 })).toEqual({ ok: false, reason: 'bid: must be at least 1e-12' });
    expect(parse({ symbol: 'SHIB', price: 1e-12 }).ok).toBe(true);
    expect(parse({ symbol: 'AAPL', price: 0 })).toEqual({ ok: false, reason: 'price: must be greater than 0' });
  });

  it('rejects a body nested too deep before any recursive processing, and ignores the numbers of unknown fields', () => {
    const deep = `{"symbol":"AAPL","price":1,"x":${'['.repeat(2000)}${']'.repeat(2000)}}`;
    expect(parse(deep)).toEqual({ ok: false, reason: 'message: nests deeper than 16 levels' });
    expect(parse({ symbol: 'AAPL', price: 1, note: 1e-300 }).ok).toBe(true);
  });
});
