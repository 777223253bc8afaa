import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Deadline, EventDeadLetters } from '../../pipeline/ports.js';
import { deadLetterEvent } from '../dead-letter-event.js';
import { DEFAULT_BACKOFF, retryCall, type BackoffOptions } from './retry.js';

/**
 * Invalid market events straight to market-events-dlq, with the reason as message attributes named like those
 * Lambda adds to the events it gives up on, so one reader understands both. The body is the event as deadLetterEvent
 * keeps it (the local events DLQ keeps the same), marked Truncated when its detail was left out.
 */
export class SqsEventDeadLetters implements EventDeadLetters {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    private readonly backoff: BackoffOptions = DEFAULT_BACKOFF,
  ) {}

  async send(event: unknown, reason: string, eventId: string, deadline: Deadline): Promise<void> {
    const { body, complete } = deadLetterEvent(event);
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
