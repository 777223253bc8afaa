import { z } from 'zod';
import { messageSource, tickKey } from './ids.js';
import { checkStructure } from './structure.js';
import type { Tick } from './types.js';
import {
  LIMITS,
  byteLength,
  describeIssues,
  eventTimeFrom,
  exchangeSchema,
  parseJson,
  priceSchema,
  symbolSchema,
  timestampSchema,
  volumeSchema,
  type Result,
} from './validation.js';

/** SQS message body: the source documents' `{"symbol","price"}` plus optional fields. Unknown fields are ignored. */
const tickBodySchema = z
  .object(
    {
      symbol: symbolSchema,
      price: priceSchema,
      timestamp: timestampSchema.optional(),
      volume: volumeSchema.optional(),
      exchange: exchangeSchema.optional(),
      bid: priceSchema.optional(),
      ask: priceSchema.optional(),
    },
    { error: 'body must be a JSON object' },
  )
  .refine((t) => t.bid === undefined || t.ask === undefined || t.bid <= t.ask, {
    message: 'must not be greater than ask',
    path: ['bid'],
  });

export interface RawTickMessage {
  readonly body: string;
  /** When the queue received the message (epoch ms): the event time when the body has none. */
  readonly sentTimestamp: number;
}

/** Validate one SQS tick message. `now` bounds future event times. */
export function parseTick(message: RawTickMessage, now: number): Result<Tick> {
  const size = byteLength(message.body);
  if (size > LIMITS.maxMessageBytes) {
    return { ok: false, reason: `body is ${size} bytes; a tick is at most ${LIMITS.maxMessageBytes} bytes` };
  }
  const json = parseJson(message.body);
  if (!json.ok) return json;
  const structure = checkStructure(json.value);
  if (!structure.ok) return structure;
  const parsed = tickBodySchema.safeParse(json.value);
  if (!parsed.success) return { ok: false, reason: describeIssues(parsed.error) };
  const body = parsed.data;
  const eventTime = eventTimeFrom(body.timestamp ?? message.sentTimestamp, now);
  if (!eventTime.ok) return eventTime;
  return {
    ok: true,
    value: {
      key: tickKey(body.symbol, eventTime.value, body.price),
      symbol: body.symbol,
      price: body.price,
      eventTime: eventTime.value,
      ...(body.volume !== undefined && { volume: body.volume }),
      ...(body.exchange !== undefined && { exchange: body.exchange }),
      ...(body.bid !== undefined && { bid: body.bid }),
      ...(body.ask !== undefined && { ask: body.ask }),
      // Timed by the queue, the tick's key changes when SQS redrives its message: the body still names it.
      ...(body.timestamp === undefined && { source: messageSource(message.body) }),
    },
  };
}
