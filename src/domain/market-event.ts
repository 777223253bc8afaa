import { z } from 'zod';
import { createHash } from 'node:crypto';
import { tickKey } from './ids.js';
import { checkStructure } from './structure.js';
import type { Tick } from './types.js';
import {
  LIMITS,
  byteLength,
  describeIssues,
  eventTimeFrom,
  exchangeSchema,
  priceSchema,
  symbolSchema,
  timestampSchema,
  volumeSchema,
  type Result,
} from './validation.js';

export type MarketEventKind = 'trade' | 'quote';

/** Which EventBridge source and detail-types are market events (the stack's rules; passed in, not assumed). */
export interface MarketEventRouting {
  readonly source: string;
  readonly detailTypes: Readonly<Record<MarketEventKind, readonly string[]>>;
}

const common = {
  symbol: symbolSchema,
  exchange: exchangeSchema,
  timestamp: timestampSchema.optional(),
  volume: volumeSchema.optional(),
};

const tradeDetailSchema = z.looseObject({ ...common, price: priceSchema, volume: volumeSchema }, { error: 'detail must be an object' });

export const quoteDetailSchema = z
  .looseObject(
    { ...common, price: priceSchema.optional(), bid: priceSchema.optional(), ask: priceSchema.optional() },
    { error: 'detail must be an object' },
  )
  .refine((q) => q.price !== undefined || (q.bid !== undefined && q.ask !== undefined), {
    message: 'a quote needs a price, or both bid and ask',
    path: ['price'],
  })
  .refine((q) => q.bid === undefined || q.ask === undefined || q.bid <= q.ask, { message: 'must not be greater than ask', path: ['bid'] });

const envelopeSchema = z.object({
  id: z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(128, 'must be at most 128 characters'),
  source: z.string({ error: 'must be a string' }),
  'detail-type': z.string({ error: 'must be a string' }),
  time: z.iso.datetime({ offset: true, error: 'must be ISO-8601' }),
  detail: z.unknown(),
});

export interface MarketEvent {
  readonly eventId: string;
  readonly eventType: string;
  readonly kind: MarketEventKind;
  readonly symbol: string;
  readonly exchange: string;
  /** Event time, epoch ms: the detail's timestamp when present, else the envelope's time. */
  readonly eventTime: number;
  readonly price?: number;
  readonly volume?: number;
  readonly bid?: number;
  readonly ask?: number;
  /** The detail as received (validated fields plus any extra ones). */
  readonly detail: Record<string, unknown>;
}

/** Envelope fields known even when the event is rejected, for the audit trail. */
export interface MarketEventIdentity {
  readonly eventId: string;
  readonly eventType: string;
  readonly time: string;
}

/** Printable ASCII up to 128 characters: safe as a key part, a log field or a line on a terminal. */
const PLAIN_TEXT = /^[\x20-\x7e]{1,128}$/;

/**
 * A field as a short, stable stand-in when it is too long or not plain text: what it starts with and a hash of the
 * whole, so a retry of the same event gets the same audit key and nothing unbounded reaches a key or a log.
 */
function boundedText(value: unknown, fallback: string): string {
  if (typeof value === 'string' && PLAIN_TEXT.test(value)) return value;
  if (typeof value !== 'string') return fallback;
  const visible = value.slice(0, 48).replace(/[^\x20-\x7e]/g, '?');
  return `${visible}…#${createHash('sha256').update(value).digest('hex').slice(0, 16)}`;
}

/** A value for a reason: quoted, and cut short when long. */
export const quoted = (value: string, max = 64): string => JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);

/** The envelope's identity whatever the event looks like: bounded, so even a malformed event can be audited. */
export function identityOf(event: unknown): MarketEventIdentity {
  const e = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  const time = typeof e.time === 'string' && e.time.length <= 64 ? Date.parse(e.time) : Number.NaN;
  return {
    eventId: boundedText(e.id, 'unknown'),
    eventType: boundedText(e['detail-type'], 'unknown'),
    time: new Date(Number.isFinite(time) ? time : 0).toISOString(),
  };
}

/** Validate an EventBridge market event against the routing rules and the detail schema of its kind. */
export function parseMarketEvent(event: unknown, routing: MarketEventRouting, now: number): Result<MarketEvent> {
  const envelope = envelopeSchema.safeParse(event);
  if (!envelope.success) return { ok: false, reason: describeIssues(envelope.error) };
  const { id, source, time, detail } = envelope.data;
  const eventType = envelope.data['detail-type'];
  if (source !== routing.source) return { ok: false, reason: `source: expected "${routing.source}" (got ${quoted(source)})` };
  const kind = (Object.keys(routing.detailTypes) as MarketEventKind[]).find((k) => routing.detailTypes[k].includes(eventType));
  if (!kind) return { ok: false, reason: `detail-type: ${quoted(eventType)} is not a trade or quote event` };
  // Before anything walks the detail recursively (serialising, schema checks, logging, storing).
  const structure = checkStructure(detail, { root: ['detail'], storable: true });
  if (!structure.ok) return structure;
  const size = byteLength(JSON.stringify(detail) ?? '');
  if (size > LIMITS.maxMessageBytes) {
    return { ok: false, reason: `detail is ${size} bytes; a market event detail is at most ${LIMITS.maxMessageBytes} bytes` };
  }
  const parsed = (kind === 'trade' ? tradeDetailSchema : quoteDetailSchema).safeParse(detail);
  if (!parsed.success) return { ok: false, reason: describeIssues(parsed.error, 'detail') };
  const d = parsed.data as z.infer<typeof quoteDetailSchema>;
  const eventTime = eventTimeFrom(d.timestamp ?? time, now);
  if (!eventTime.ok) return { ok: false, reason: `detail.${eventTime.reason}` };
  return {
    ok: true,
    value: {
      eventId: id,
      eventType,
      kind,
      symbol: d.symbol,
      exchange: d.exchange,
      eventTime: eventTime.value,
      ...(d.price !== undefined && { price: d.price }),
      ...(d.volume !== undefined && { volume: d.volume }),
      ...(d.bid !== undefined && { bid: d.bid }),
      ...(d.ask !== undefined && { ask: d.ask }),
      detail: parsed.data as Record<string, unknown>,
    },
  };
}

/** A price-bearing event as a tick for the alert engine; undefined when it carries no price. */
export function tickOf(event: MarketEvent): Tick | undefined {
  if (event.price === undefined) return undefined;
  return {
    key: tickKey(event.symbol, event.eventTime, event.price),
    symbol: event.symbol,
    price: event.price,
    eventTime: event.eventTime,
    exchange: event.exchange,
    ...(event.volume !== undefined && { volume: event.volume }),
  };
}
