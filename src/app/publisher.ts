import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DEFAULT_BACKOFF, retryPending, type BackoffOptions } from '../adapters/aws/retry.js';
import { ServiceError, isNetworkError } from './errors.js';
import { deadlineIn } from '../pipeline/deadline.js';
import type { BusEntry } from '../local/formats/input-file.js';
import { TaskPool } from '../local/emulation/task-pool.js';

/** SendMessageBatch and PutEvents both take at most 10 entries per call. */
const ENTRIES_PER_CALL = 10;
/** Both services' limit on one request's payload. */
const MAX_REQUEST_BYTES = 256 * 1024;
/** PutEvents errors worth another attempt (the others are the entry's own fault). */
const RETRYABLE_EVENT_ERRORS = new Set(['InternalFailure', 'ThrottlingException']);

export interface PublishFailure {
  readonly kind: 'tick' | 'event';
  readonly line: number;
  /** Why, in the service's words (or the size check's). */
  readonly reason: string;
  /** The call that failed as a whole, when that is why the entry was not sent: the command line explains it. */
  readonly cause?: ServiceError;
}

interface Pending<T> {
  readonly line: number;
  readonly payload: T;
  readonly bytes: number;
  /** Set when an attempt failed for this entry alone and should not be retried. */
  final?: string;
}

export interface PublisherOptions {
  readonly sqs: SQSClient;
  readonly events: EventBridgeClient;
  /** Resolved on the first tick, so a file of events needs no queue. */
  readonly queueUrl: () => Promise<string>;
  readonly busName: string;
  /** Calls in flight at once. */
  readonly concurrency?: number;
  /** How long one call's entries may be retried. */
  readonly retryBudgetMs?: number;
  readonly backoff?: BackoffOptions;
  readonly onFailure?: (failure: PublishFailure) => void;
}

/**
 * Sends ticks to the queue (SendMessageBatch) and events to the bus (PutEvents), 10 per call. Entries that fail for
 * a transient reason are retried with exponential backoff and full jitter; every entry that still fails is reported
 * with its input line.
 */
export class Publisher {
  ticksSent = 0;
  eventsSent = 0;
  readonly failures: PublishFailure[] = [];
  // Flushing empties these in place (splice), so `add` can hold on to them.
  private readonly ticks: Pending<string>[] = [];
  private readonly eventEntries: Pending<BusEntry & { readonly detailJson: string }>[] = [];
  private readonly pool: TaskPool;
  /** A call that failed as a whole (unreachable endpoint, missing queue, no permission): nothing more is sent. */
  private aborted: { error: unknown; service: string } | undefined;

  constructor(private readonly options: PublisherOptions) {
    this.pool = new TaskPool(options.concurrency ?? 4);
  }

  async tick(body: string, line: number): Promise<void> {
    await this.add(this.ticks, 'tick', { line, payload: body, bytes: Buffer.byteLength(body) }, () => this.flushTicks());
  }

  async event(entry: BusEntry, line: number): Promise<void> {
    let detailJson: string;
    try {
      detailJson = JSON.stringify(entry.detail);
    } catch (error) {
      // A detail nested thousands of levels deep parses, but no JSON writer here can send it.
      this.fail('event', line, `not sent: the detail cannot be written as JSON (${(error as Error).message})`);
      return;
    }
    const bytes = Buffer.byteLength(detailJson) + entry.source.length + entry.detailType.length;
    await this.add(this.eventEntries, 'event', { line, payload: { ...entry, detailJson }, bytes }, () => this.flushEvents());
  }

  /** Send what is buffered and wait for every call to finish. */
  async close(): Promise<void> {
    await this.flushTicks();
    await this.flushEvents();
    await this.pool.idle();
    this.checkAborted();
  }

  private fail(kind: PublishFailure['kind'], line: number, reason: string, cause?: ServiceError): void {
    const failure = { kind, line, reason, ...(cause && { cause }) };
    this.failures.push(failure);
    this.options.onFailure?.(failure);
  }

  private checkAborted(): void {
    if (this.aborted) throw new ServiceError(this.aborted.error, { service: this.aborted.service, stopped: 'publishing stopped' });
  }

  private async add<T>(buffer: Pending<T>[], kind: PublishFailure['kind'], entry: Pending<T>, flush: () => Promise<void>): Promise<void> {
    this.checkAborted();
    if (entry.bytes > MAX_REQUEST_BYTES) {
      this.fail(kind, entry.line, `${entry.bytes} bytes is over the ${MAX_REQUEST_BYTES}-byte limit of one message`);
      return;
    }
    if (buffer.reduce((sum, e) => sum + e.bytes, 0) + entry.bytes > MAX_REQUEST_BYTES) await flush();
    buffer.push(entry);
    if (buffer.length >= ENTRIES_PER_CALL) await flush();
  }

  private async flushTicks(): Promise<void> {
    const batch = this.ticks.splice(0);
    if (batch.length === 0) return;
    const queueUrl = await this.options.queueUrl();
    await this.pool.submit(() =>
      this.send('tick', batch, async (pending) => {
        const response = await this.options.sqs.send(
          new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending.map((e, i) => ({ Id: String(i), MessageBody: e.payload })) }),
        );
        return (response.Failed ?? []).flatMap((failed) => {
          const entry = pending[Number(failed.Id)];
          if (!entry) return [];
          const reason = `${failed.Code ?? 'error'}: ${failed.Message ?? 'rejected by SQS'}`;
          // SenderFault: the message itself is wrong, and sending it again will not help.
          if (failed.SenderFault) entry.final = reason;
          else entry.final = undefined;
          return [{ entry, reason }];
        });
      }),
    );
  }

  private async flushEvents(): Promise<void> {
    const batch = this.eventEntries.splice(0);
    if (batch.length === 0) return;
    await this.pool.submit(() =>
      this.send('event', batch, async (pending) => {
        const response = await this.options.events.send(
          new PutEventsCommand({
            Entries: pending.map(({ payload }) => ({
              EventBusName: this.options.busName,
              Source: payload.source,
              DetailType: payload.detailType,
              Detail: payload.detailJson,
              ...(payload.time && { Time: new Date(payload.time) }),
            })),
          }),
        );
        // Result entries are in request order; a failed one has an ErrorCode.
        return (response.Entries ?? []).flatMap((result, i) => {
          const entry = pending[i];
          if (!entry || !result.ErrorCode) return [];
          const reason = `${result.ErrorCode}: ${result.ErrorMessage ?? 'rejected by EventBridge'}`;
          entry.final = RETRYABLE_EVENT_ERRORS.has(result.ErrorCode) ? undefined : reason;
          return [{ entry, reason }];
        });
      }),
    );
  }

  /** One call's entries with retries; counts what was sent and reports what was not. */
  private async send<T>(
    kind: PublishFailure['kind'],
    batch: Pending<T>[],
    call: (pending: readonly Pending<T>[]) => Promise<{ entry: Pending<T>; reason: string }[]>,
  ): Promise<void> {
    let lastReasons = new Map<Pending<T>, string>();
    let callError: unknown;
    const { remaining, reason } = await retryPending(
      batch,
      async (pending) => {
        lastReasons = new Map();
        callError = undefined;
        const failed = await call(pending).catch((error: unknown) => {
          callError = error;
          // The SDK has already retried the connection; an endpoint that cannot be reached stops the publish at once.
          throw isNetworkError(error) ? new ServiceError(error) : error;
        });
        lastReasons = new Map(failed.map((f) => [f.entry, f.reason]));
        for (const f of failed) if (f.entry.final) this.fail(kind, f.entry.line, f.entry.final);
        return failed.filter((f) => !f.entry.final).map((f) => f.entry);
      },
      deadlineIn(this.options.retryBudgetMs ?? 30_000),
      this.options.backoff ?? DEFAULT_BACKOFF,
    );
    const service = kind === 'tick' ? 'SQS' : 'EventBridge';
    if (callError !== undefined && remaining.length > 0) this.aborted ??= { error: callError, service };
    const callFailure = callError === undefined ? undefined : new ServiceError(callError, { service });
    for (const entry of remaining) {
      const listed = lastReasons.get(entry);
      if (listed !== undefined || !callFailure) this.fail(kind, entry.line, listed ?? reason ?? 'not sent');
      else this.fail(kind, entry.line, callFailure.message, callFailure);
    }
    const finals = batch.filter((e) => e.final).length;
    const sent = batch.length - remaining.length - finals;
    if (kind === 'tick') this.ticksSent += sent;
    else this.eventsSent += sent;
  }
}
