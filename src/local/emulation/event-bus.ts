import { randomUUID } from 'node:crypto';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import type { BusEntry } from '../formats/input-file.js';
import type { Origin } from './dead-letter-store.js';
import { describeError } from '../../pipeline/errors.js';
import { TaskPool } from './task-pool.js';

export type MarketEventHandler = (event: EventBridgeEvent<string, unknown>, context: Context) => Promise<unknown>;

/** The subset of EventBridge patterns the stack's rules use: each listed field must equal one of the values. */
export type EventPattern = Readonly<Record<'source' | 'detail-type', readonly string[]>>;

export interface BusRule {
  readonly name: string;
  readonly pattern: EventPattern;
  readonly target: MarketEventHandler;
}

export interface Delivery {
  readonly event: EventBridgeEvent<string, unknown>;
  readonly rule: string;
  readonly origin?: Origin;
}

export interface SuccessfulDelivery extends Delivery {
  /** What the target returned. */
  readonly result: unknown;
}

export interface FailedDelivery extends Delivery {
  readonly attempts: number;
  readonly reason: string;
}

export interface EventBusOptions {
  readonly busName: string;
  readonly region: string;
  readonly rules: readonly BusRule[];
  /** Retries after the first attempt before the event goes to the dead-letter queue. */
  readonly maxRetries: number;
  readonly concurrency: number;
  readonly context: (rule: string) => Context;
  readonly deadLetter: (failure: FailedDelivery) => Promise<void>;
  readonly delivered?: (delivery: SuccessfulDelivery) => void;
  /** An event no rule matched; EventBridge drops it, and the caller reports it. */
  readonly unmatched?: (event: EventBridgeEvent<string, unknown>, origin?: Origin) => void;
  readonly clock?: () => number;
}

export const matchesPattern = (pattern: EventPattern, event: EventBridgeEvent<string, unknown>): boolean =>
  pattern.source.includes(event.source) && pattern['detail-type'].includes(event['detail-type']);

/**
 * An EventBridge bus in process: each put event goes to the target of every rule whose pattern it matches, invoked
 * asynchronously with at most `maxRetries` retries, then to the dead-letter queue. Retries follow at once instead of
 * with EventBridge's backoff.
 */
export class LocalEventBus {
  private readonly pool: TaskPool;
  private readonly clock: () => number;
  /** Deliveries whose target is running, by event id: a target may ask which rule and input line it serves. */
  private readonly running = new Map<string, Delivery>();

  constructor(private readonly options: EventBusOptions) {
    this.pool = new TaskPool(options.concurrency);
    this.clock = options.clock ?? Date.now;
  }

  /** PutEvents for one entry; resolves with the event id once delivery to every matching rule is under way. */
  async put(entry: BusEntry, origin?: Origin): Promise<string> {
    const event: EventBridgeEvent<string, unknown> = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.detailType,
      source: entry.source,
      account: '000000000000',
      time: entry.time ?? new Date(this.clock()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.options.region,
      resources: [],
      detail: entry.detail,
    };
    const rules = this.options.rules.filter((rule) => matchesPattern(rule.pattern, event));
    if (rules.length === 0) this.options.unmatched?.(event, origin);
    for (const rule of rules) await this.pool.submit(() => this.deliver({ event, rule: rule.name, ...(origin && { origin }) }, rule.target));
    return event.id;
  }

  /** Deliver a dead-lettered event again to the rule it failed on (a redrive keeps its id). */
  async redeliver(event: EventBridgeEvent<string, unknown>, ruleName: string, origin?: Origin): Promise<void> {
    const rule = this.options.rules.find((r) => r.name === ruleName);
    if (!rule) throw new Error(`no rule named ${ruleName} on ${this.options.busName}`);
    await this.pool.submit(() => this.deliver({ event, rule: rule.name, ...(origin && { origin }) }, rule.target));
  }

  async drain(): Promise<void> {
    await this.pool.idle();
  }

  /** The delivery of this event that is under way, if any. */
  deliveryOf(eventId: string): Delivery | undefined {
    return this.running.get(eventId);
  }

  /** Wait for the invocations in flight to end, even after a failure (the store they write to is closed next). */
  async quiesce(): Promise<void> {
    await this.pool.quiesce();
  }

  private async deliver(delivery: Delivery, target: MarketEventHandler): Promise<void> {
    let reason = '';
    this.running.set(delivery.event.id, delivery);
    try {
      for (let attempt = 1; attempt <= this.options.maxRetries + 1; attempt++) {
        try {
          const result = await target(delivery.event, this.options.context(delivery.rule));
          this.options.delivered?.({ ...delivery, result });
          return;
        } catch (error) {
          reason = describeError(error);
        }
      }
    } finally {
      this.running.delete(delivery.event.id);
    }
    await this.options.deadLetter({ ...delivery, attempts: this.options.maxRetries + 1, reason });
  }
}
