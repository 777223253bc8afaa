import type { MessageOutcome, TickMessage } from '../pipeline/index.js';

/** SQS message ids are at most 100 characters; anything else cannot be reported back as a batch item failure. */
const MESSAGE_ID = /^[\x21-\x7e]{1,100}$/;

export interface SqsRecords {
  /** Records to process. */
  readonly messages: TickMessage[];
  /** Records with a usable id whose body is not text: invalid without a look inside. */
  readonly rejected: MessageOutcome[];
  /** Records that cannot be reported back (no usable message id): logged, never processed. */
  readonly unusable: { readonly index: number; readonly problem: string }[];
  /** Every record in the event. */
  readonly received: number;
}

/**
 * The records of an SQS event, whatever shape the event has. Only well-formed message ids go back to the event
 * source mapping: an unknown or empty identifier would make it retry the whole batch.
 */
export function readSqsRecords(event: unknown, receivedAt: number): SqsRecords {
  const records = (event as { Records?: unknown } | null | undefined)?.Records;
  const result: SqsRecords = { messages: [], rejected: [], unusable: [], received: 0 };
  if (!Array.isArray(records)) {
    result.unusable.push({ index: -1, problem: `the event has no Records list (got ${records === null ? 'null' : typeof records})` });
    return result;
  }
  const seen = new Set<string>();
  records.forEach((record: unknown, index) => {
    (result as { received: number }).received++;
    const r = (typeof record === 'object' && record !== null ? record : {}) as Record<string, unknown>;
    const { messageId, body } = r;
    if (typeof messageId !== 'string' || !MESSAGE_ID.test(messageId) || seen.has(messageId)) {
      const problem = typeof messageId !== 'string' ? 'no messageId' : seen.has(messageId) ? 'a repeated messageId' : 'a malformed messageId';
      result.unusable.push({ index, problem: `record ${index} has ${problem}` });
      return;
    }
    seen.add(messageId);
    if (typeof body !== 'string') {
      result.rejected.push({ messageId, status: 'invalid', reason: `body: must be a string (got ${body === null ? 'null' : typeof body})` });
      return;
    }
    const sent = Number((r.attributes as Record<string, unknown> | undefined)?.SentTimestamp);
    result.messages.push({ messageId, body, sentTimestamp: Number.isSafeInteger(sent) && sent > 0 ? sent : receivedAt });
  });
  return result;
}
