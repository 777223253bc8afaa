import { createHash, randomUUID } from 'node:crypto';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Origin } from './dead-letter-store.js';
import { describeError } from '../../pipeline/errors.js';
import { TaskPool } from './task-pool.js';

export type SqsBatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

/** A message on the local queue, with the bookkeeping SQS keeps for it. */
export interface QueueMessage {
  readonly messageId: string;
  /**
   * The id it was first sent with. A redrive from the dead-letter queue gives a message a new id, as SQS does; this
   * one stays, so that the dead-letter queue still knows the message when it fails again (not an SQS attribute).
   */
  readonly originalMessageId: string;
  readonly body: string;
  readonly sentTimestamp: number;
  receiveCount: number;
  firstReceiveTimestamp?: number;
  /** Why the last receive failed, when the function said more than "this item failed". */
  lastError?: string;
  readonly origin?: Origin;
}

export interface SqsDriverOptions {
  readonly handler: SqsBatchHandler;
  readonly context: () => Context;
  readonly queueArn: string;
  readonly region: string;
  readonly batchSize: number;
  readonly maxReceiveCount: number;
  /** Batches in flight at once (the function's reserved concurrency). */
  readonly concurrency: number;
  /** A message that failed its last allowed receive; the caller keeps it in the dead-letter queue. */
  readonly deadLetter: (message: QueueMessage) => Promise<void>;
  /** A message the function processed (deleted from the queue). */
  readonly delivered?: (message: QueueMessage) => void;
  readonly clock?: () => number;
}

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

/**
 * An SQS queue and its Lambda event source mapping, in process: batches of up to `batchSize`, partial batch
 * responses (only the listed items return to the queue), and a move to the dead-letter queue once a message has been
 * received `maxReceiveCount` times. Failed messages are redelivered at once rather than after the visibility timeout.
 */
export class LocalSqsDriver {
  private ready: QueueMessage[] = [];
  private readonly pool: TaskPool;
  private readonly clock: () => number;

  constructor(private readonly options: SqsDriverOptions) {
    this.pool = new TaskPool(options.concurrency);
    this.clock = options.clock ?? Date.now;
  }

  /** SendMessage; resolves when the queue can take more (the caller is held back while the function is busy). */
  async send(body: string, origin?: Origin, sentTimestamp: number = this.clock()): Promise<string> {
    const messageId = randomUUID();
    await this.enqueue({ messageId, originalMessageId: messageId, body, sentTimestamp, receiveCount: 0, ...(origin && { origin }) });
    return messageId;
  }

  /**
   * A message moved back from the dead-letter queue, as SQS's redrive moves it: a new message id, a new SentTimestamp
   * (now: a tick without its own timestamp is a new observation) and receives counted from 0. Its input line and
   * original id stay, for the reports and the dead-letter queue. Resolves with the new id.
   */
  async resend(message: { readonly body: string; readonly originalMessageId: string; readonly origin?: Origin }): Promise<string> {
    const messageId = randomUUID();
    await this.enqueue({ ...message, messageId, sentTimestamp: this.clock(), receiveCount: 0 });
    return messageId;
  }

  private async enqueue(message: QueueMessage): Promise<void> {
    this.ready.push(message);
    while (this.ready.length >= this.options.batchSize) await this.dispatch();
  }

  /** Wait for the invocations in flight to end, even after a failure (the store they write to is closed next). */
  async quiesce(): Promise<void> {
    await this.pool.quiesce();
  }

  /** Deliver everything still queued, redeliveries included, and wait until the queue is empty. */
  async drain(): Promise<void> {
    for (;;) {
      while (this.ready.length > 0) await this.dispatch();
      await this.pool.idle();
      if (this.ready.length === 0) return;
    }
  }

  private async dispatch(): Promise<void> {
    const batch = this.ready.splice(0, this.options.batchSize);
    if (batch.length > 0) await this.pool.submit(() => this.invoke(batch));
  }

  private async invoke(batch: QueueMessage[]): Promise<void> {
    const now = this.clock();
    for (const message of batch) {
      message.receiveCount++;
      message.firstReceiveTimestamp ??= now;
    }
    const failed = await this.failedIds(batch);
    for (const message of batch) {
      if (!failed.has(message.messageId)) {
        this.options.delivered?.(message);
      } else if (message.receiveCount >= this.options.maxReceiveCount) {
        await this.options.deadLetter(message);
      } else {
        this.ready.push(message);
      }
    }
  }

  /** The ids that return to the queue, as the event source mapping reads the function's response. */
  private async failedIds(batch: readonly QueueMessage[]): Promise<Set<string>> {
    const all = new Set(batch.map((m) => m.messageId));
    try {
      const response = await this.options.handler({ Records: batch.map((m) => this.record(m)) }, this.options.context());
      const listed = (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier);
      // An empty or unknown identifier makes the mapping treat the whole batch as failed.
      if (listed.some((id) => !id || !all.has(id))) return all;
      return new Set(listed);
    } catch (error) {
      for (const message of batch) message.lastError = describeError(error);
      return all;
    }
  }

  private record(message: QueueMessage): SQSRecord {
    return {
      messageId: message.messageId,
      receiptHandle: randomUUID(),
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentTimestamp),
        SenderId: 'LOCAL',
        ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp ?? this.clock()),
      },
      messageAttributes: {},
      md5OfBody: md5(message.body),
      eventSource: 'aws:sqs',
      eventSourceARN: this.options.queueArn,
      awsRegion: this.options.region,
    };
  }
}
