import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Deadline, EventDeadLetters } from '../../pipeline/ports.js';
import { DEFAULT_BACKOFF, retryCall, type BackoffOptions } from './retry.js';

/** SQS's message size limit (body and attributes), less room for the attributes. */
const MAX_BODY_BYTES = 256 * 1024 - 4 * 1024;

/**
 * The event as the dead letter's body, in the shape EventBridge itself would have sent. An event too large (or too
 * deep to serialise) keeps its envelope and says what was left out; its audit record names it either way.
 */
export function deadLetterBody(event: unknown): { body: string; complete: boolean } {
  let body: string | undefined;
  try {
    body = JSON.stringify(event);
  } catch {
    body = undefined;
  }
  if (body !== undefined && Buffer.byteLength(body) <= MAX_BODY_BYTES) return { body, complete: true };
  const e = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  const short = (v: unknown) => (typeof v === 'string' ? v.slice(0, 256) : undefined);
  const envelope = { id: short(e.id), source: short(e.source), 'detail-type': short(e['detail-type']), time: short(e.time) };
  return {
    body: JSON.stringify({ ...envelope, detail: `left out: ${body === undefined ? 'cannot be serialised' : `${Buffer.byteLength(body)} bytes`}` }),
    complete: false,
  };
}

/**
 * Invalid market events straight to market-events-dlq, with the reason as message attributes named like those
 * Lambda adds to the events it gives up on, so one reader understands both.
 */
export class SqsEventDeadLetters implements EventDeadLetters {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    private readonly backoff: BackoffOptions = DEFAULT_BACKOFF,
  ) {}

  async send(event: unknown, reason: string, eventId: string, deadline: Deadline): Promise<void> {
    const { body, complete } = deadLetterBody(event);
    const text = (value: string) => ({ DataType: 'String', StringValue: value });
    await retryCall(
      (abortSignal) =>
        this.client.send(
          new SendMessageCommand({
            QueueUrl: this.queueUrl,
            MessageBody: body,
            MessageAttributes: {
              ErrorCode: text('InvalidEvent'),
              ErrorMessage: text(reason),
              EventId: text(eventId),
              ...(!complete && { Truncated: text('true') }),
            },
          }),
          { abortSignal },
        ),
      deadline,
      this.backoff,
    );
  }
}
