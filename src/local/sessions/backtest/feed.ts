import type { EventBridgeEvent } from 'aws-lambda';
import { LIMITS, SYMBOL_PATTERN, parseMarketEvent, parseTick, tickOf, type Tick } from '../../../domain/index.js';
import { MARKET_EVENT_ROUTING } from '../../../handlers/config.js';
import type { InputFormat } from '../../../resources/input-formats.js';
import { readInput, type InputRecord } from '../../formats/input-file.js';

export interface BacktestInput {
  readonly file: string;
  readonly format: InputFormat;
}

/** Where a record came from, for problems. */
export interface RecordOrigin {
  readonly file: string;
  readonly line: number;
}

/** One input record, validated once, as the backtest consumes it. */
export type FedRecord =
  /** A valid tick message: goes into the next batch of DEFAULTS.batchSize, as the queue would batch it. */
  | { readonly kind: 'tick'; readonly tick: Tick; readonly untimed: boolean; readonly origin: RecordOrigin }
  /** A valid bus event with a price: one tick on its own, as market-processor evaluates each event. */
  | { readonly kind: 'event-tick'; readonly tick: Tick; readonly untimed: boolean; readonly origin: RecordOrigin }
  /** A valid bus event without a price (a bid/ask quote): stored when deployed, nothing for the engine. */
  | { readonly kind: 'event-without-price'; readonly symbol: string; readonly origin: RecordOrigin }
  /** A message the deployed functions would dead-letter; `symbol` when the message names a valid one. */
  | { readonly kind: 'invalid'; readonly source: 'tick' | 'event'; readonly symbol?: string; readonly reason: string; readonly origin: RecordOrigin }
  /** A bus event no rule of the bus matches (EventBridge drops it). */
  | { readonly kind: 'unmatched'; readonly reason: string; readonly origin: RecordOrigin }
  /** A line that is not a message at all (the bus would refuse it, or a CSV row of the wrong width). */
  | { readonly kind: 'unreadable'; readonly reason: string; readonly origin: RecordOrigin };

const validSymbol = (value: unknown): string | undefined => (typeof value === 'string' && SYMBOL_PATTERN.test(value) ? value : undefined);

/** The symbol an invalid tick names, when it names a valid one (so its table can count it). */
function symbolOfBody(body: string): string | undefined {
  try {
    const value = JSON.parse(body) as unknown;
    return typeof value === 'object' && value !== null ? validSymbol((value as Record<string, unknown>).symbol) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The event time of a message that has none. Deployed, it is when the queue received the message (or the bus the
 * event); a backtest has no such moment, so it takes one that keeps file order: 1 ms after the event time of the
 * record before it in the files (the first records: from 2000-01-01T00:00:00.000Z, the earliest valid time).
 */
export class FileOrderClock {
  private last = LIMITS.minEventTime - 1;

  /** The time a message without a timestamp gets if it comes next. */
  next(): number {
    return this.last + 1;
  }

  /** A record was valid at this event time: the next untimed one follows it. */
  observe(eventTime: number): void {
    this.last = eventTime;
  }
}

/** A valid tick without this field took its event time from the clock (counted, so the summary can say so). */
const TIMESTAMP_FIELD = /"timestamp"\s*:/;

const isRouted = (source: string, detailType: string): boolean =>
  source === MARKET_EVENT_ROUTING.source && Object.values(MARKET_EVENT_ROUTING.detailTypes).some((types) => types.includes(detailType));

/**
 * Validate one input record with the deployed functions' own validation (`parseTick`, `parseMarketEvent` and
 * `tickOf`). `now` bounds future timestamps, as it does for the functions.
 */
export function feedRecord(record: InputRecord, file: string, index: number, clock: FileOrderClock, now: number): FedRecord {
  const origin = { file, line: record.line };
  if (record.kind === 'bad') return { kind: 'unreadable', reason: record.reason, origin };
  if (record.kind === 'tick') {
    const parsed = parseTick({ body: record.body, sentTimestamp: clock.next() }, now);
    if (!parsed.ok) {
      const symbol = symbolOfBody(record.body);
      return { kind: 'invalid', source: 'tick', ...(symbol && { symbol }), reason: parsed.reason, origin };
    }
    clock.observe(parsed.value.eventTime);
    return { kind: 'tick', tick: parsed.value, untimed: !TIMESTAMP_FIELD.test(record.body), origin };
  }
  const { entry } = record;
  if (!isRouted(entry.source, entry.detailType)) {
    return {
      kind: 'unmatched',
      reason: `no rule of the bus matches source ${JSON.stringify(entry.source)} and detail-type ${JSON.stringify(entry.detailType)}`,
      origin,
    };
  }
  // The envelope EventBridge would deliver; the id only has to be unique and stable.
  const event: EventBridgeEvent<string, unknown> = {
    version: '0',
    id: `backtest-${index}-${record.line}`,
    'detail-type': entry.detailType,
    source: entry.source,
    account: '000000000000',
    time: entry.time ?? new Date(clock.next()).toISOString(),
    region: 'local',
    resources: [],
    detail: entry.detail,
  };
  const parsed = parseMarketEvent(event, MARKET_EVENT_ROUTING, now);
  if (!parsed.ok) {
    const symbol = validSymbol(entry.detail.symbol);
    return { kind: 'invalid', source: 'event', ...(symbol && { symbol }), reason: parsed.reason, origin };
  }
  clock.observe(parsed.value.eventTime);
  const tick = tickOf(parsed.value);
  const untimed = entry.time === undefined && entry.detail.timestamp === undefined;
  return tick ? { kind: 'event-tick', tick, untimed, origin } : { kind: 'event-without-price', symbol: parsed.value.symbol, origin };
}

/** Every record of the files, in file order, validated once. Streams: one line in memory at a time. */
export async function* feedFiles(inputs: readonly BacktestInput[], now: number): AsyncGenerator<FedRecord> {
  const clock = new FileOrderClock();
  for (const [index, input] of inputs.entries()) {
    for await (const record of readInput(input.file, input.format)) yield feedRecord(record, input.file, index, clock, now);
  }
}
