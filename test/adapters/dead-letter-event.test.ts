import { describe, expect, it } from 'vitest';
import { deadLetterEvent } from '../../src/adapters/dead-letter-event.js';

/** An event whose detail nests `levels` levels below it, as objects or as arrays. */
function nested(levels: number, shape: 'object' | 'array' = 'object'): Record<string, unknown> {
  let detail: unknown = 1;
  for (let i = 1; i < levels; i++) detail = shape === 'object' ? { a: detail } : [detail];
  return { id: 'e', source: 'market.data', 'detail-type': 'Trade Execution', time: '2026-11-23T14:59:00Z', detail };
}

const envelope = { id: 'e', source: 'market.data', 'detail-type': 'Trade Execution', time: '2026-11-23T14:59:00Z' };

describe('deadLetterEvent', () => {
  it('is the event as it came, when it fits', () => {
    const event = { id: 'e', detail: { a: 1 } };
    expect(deadLetterEvent(event)).toEqual({ event, body: '{"id":"e","detail":{"a":1}}', complete: true });
    expect(deadLetterEvent(null)).toEqual({ event: null, body: 'null', complete: true });
  });

  it('keeps an event 64 levels deep whole, and leaves out the detail of one level more', () => {
    const kept = nested(64);
    expect(deadLetterEvent(kept)).toEqual({ event: kept, body: JSON.stringify(kept), complete: true });
    const cut = deadLetterEvent(nested(65));
    expect(cut).toEqual({
      event: { ...envelope, detail: 'left out: event: nests deeper than 64 levels' },
      body: JSON.stringify({ ...envelope, detail: 'left out: event: nests deeper than 64 levels' }),
      complete: false,
    });
  });

  it('cuts down an event 6 000 or 100 000 levels deep without recursion, objects or arrays', () => {
    for (const levels of [6_000, 100_000]) {
      for (const shape of ['object', 'array'] as const) {
        const { event, body, complete } = deadLetterEvent(nested(levels, shape));
        expect(complete).toBe(false);
        expect(event).toEqual({ ...envelope, detail: 'left out: event: nests deeper than 64 levels' });
        expect(JSON.parse(body)).toEqual(event);
      }
    }
  });

  it('keeps the envelope (each field cut to 256 characters) and says how large the event was, when it does not fit', () => {
    const event = { id: 'e'.repeat(300), source: 'market.data', 'detail-type': 'Trade Execution', time: 7, detail: { pad: 'x'.repeat(300_000) } };
    const { event: kept, body, complete } = deadLetterEvent(event);
    expect(complete).toBe(false);
    const expected = { id: 'e'.repeat(256), source: 'market.data', 'detail-type': 'Trade Execution', detail: 'left out: 300393 bytes' };
    expect(JSON.parse(body)).toEqual(expected);
    expect(kept).toEqual({ ...expected, time: undefined });
  });

  it('bounds the walk by the number of values a dead letter could hold', () => {
    const { body, complete } = deadLetterEvent({ id: 'e', detail: Array.from({ length: 300_000 }, () => 0) });
    expect(complete).toBe(false);
    expect(JSON.parse(body)).toEqual({ id: 'e', detail: 'left out: event: has more than 258048 values' });
  });

  it('says so when the event is not JSON, with the field cut to a readable length', () => {
    expect(deadLetterEvent({ id: 'e', detail: { big: 1n } }).body).toBe('{"id":"e","detail":"left out: event.detail.big: is not a JSON value"}');
    const note = (JSON.parse(deadLetterEvent({ id: 'e', detail: { ['k'.repeat(1000)]: undefined } }).body) as { detail: string }).detail;
    expect(note).toBe(`left out: ${`event.detail.${'k'.repeat(1000)}`.slice(0, 256)}`);
  });
});
