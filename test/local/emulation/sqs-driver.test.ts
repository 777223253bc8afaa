import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { lambdaContext } from '../../../src/local/emulation/lambda-context.js';
import { LocalSqsDriver, type QueueMessage, type SqsBatchHandler } from '../../../src/local/emulation/sqs-driver.js';

const context = () => lambdaContext({ functionName: 'fn', memoryMb: 128, timeoutSeconds: 60, region: 'us-east-1', logGroupName: '/aws/lambda/fn' });

function driver(handler: SqsBatchHandler, concurrency = 2, clock?: () => number) {
  const deadLetters: QueueMessage[] = [];
  const delivered: QueueMessage[] = [];
  const queue = new LocalSqsDriver({
    handler,
    context,
    queueArn: 'arn:aws:sqs:us-east-1:000000000000:q',
    region: 'us-east-1',
    batchSize: 25,
    maxReceiveCount: 3,
    concurrency,
    deadLetter: async (m) => {
      deadLetters.push(m);
    },
    delivered: (m) => delivered.push(m),
    ...(clock && { clock }),
  });
  return { queue, deadLetters, delivered };
}

describe('LocalSqsDriver', () => {
  it('delivers batches of at most 25 with realistic records', async () => {
    const events: SQSEvent[] = [];
    const { queue, delivered } = driver(async (event) => {
      events.push(event);
      return { batchItemFailures: [] };
    });
    for (let i = 0; i < 60; i++) await queue.send(`{"n":${i}}`, undefined, 1_700_000_000_000);
    await queue.drain();
    expect(events.map((e) => e.Records.length)).toEqual([25, 25, 10]);
    const record = events[0]!.Records[0]!;
    expect(record.attributes.ApproximateReceiveCount).toBe('1');
    expect(record.attributes.SentTimestamp).toBe('1700000000000');
    expect(record.eventSource).toBe('aws:sqs');
    expect(record.md5OfBody).toMatch(/^[0-9a-f]{32}$/);
    expect(delivered).toHaveLength(60);
  });

  it('redelivers only the reported items, and dead-letters them after the maximum receives', async () => {
    const receives = new Map<string, string[]>();
    const { queue, deadLetters, delivered } = driver(async (event) => {
      const failures = event.Records.filter((r) => r.body.includes('bad'));
      for (const r of event.Records) receives.set(r.body, [...(receives.get(r.body) ?? []), r.attributes.ApproximateReceiveCount]);
      return { batchItemFailures: failures.map((r) => ({ itemIdentifier: r.messageId })) };
    });
    await queue.send('good-1');
    await queue.send('bad');
    await queue.send('good-2');
    await queue.drain();
    expect(receives.get('bad')).toEqual(['1', '2', '3']);
    expect(receives.get('good-1')).toEqual(['1']);
    expect(deadLetters.map((m) => [m.body, m.receiveCount])).toEqual([['bad', 3]]);
    expect(delivered.map((m) => m.body).sort()).toEqual(['good-1', 'good-2']);
  });

  it('returns the whole batch when the invocation throws, keeping the error for the dead letter', async () => {
    let calls = 0;
    const { queue, deadLetters } = driver(async () => {
      calls++;
      throw new Error('boom');
    });
    await queue.send('a');
    await queue.send('b');
    await queue.drain();
    expect(calls).toBe(3);
    expect(deadLetters.map((m) => m.lastError)).toEqual(['boom', 'boom']);
  });

  it('treats an unknown item identifier as a failure of the whole batch, as the event source mapping does', async () => {
    let calls = 0;
    const { queue, deadLetters } = driver(async () => {
      calls++;
      return { batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] };
    });
    await queue.send('a');
    await queue.drain();
    expect(calls).toBe(3);
    expect(deadLetters).toHaveLength(1);
  });

  it('keeps at most `concurrency` batches in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const { queue } = driver(async () => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return { batchItemFailures: [] };
    }, 3);
    for (let i = 0; i < 25 * 10; i++) await queue.send(String(i));
    await queue.drain();
    expect(peak).toBe(3);
  });

  it('redrives a dead letter as SQS does: a new message id and sent time, receives from 0, its origin and first id kept', async () => {
    let now = 1_000;
    const seen: string[] = [];
    const { queue, deadLetters } = driver(
      async (event) => {
        seen.push(...event.Records.map((r) => `${r.messageId}@${r.attributes.SentTimestamp}#${r.attributes.ApproximateReceiveCount}`));
        return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
      },
      2,
      () => now,
    );
    const origin = { file: 'day.jsonl', line: 17 };
    const first = await queue.send('{"symbol":"AAPL","price":151}', origin);
    await queue.drain();
    expect(deadLetters.map((m) => [m.messageId, m.originalMessageId, m.sentTimestamp, m.receiveCount])).toEqual([[first, first, 1_000, 3]]);
    now = 5_000;
    const second = await queue.resend({ body: deadLetters[0]!.body, originalMessageId: deadLetters[0]!.originalMessageId, origin });
    await queue.drain();
    expect(second).toMatch(/^[0-9a-f-]{36}$/);
    expect(second).not.toBe(first);
    expect(seen).toEqual([`${first}@1000#1`, `${first}@1000#2`, `${first}@1000#3`, `${second}@5000#1`, `${second}@5000#2`, `${second}@5000#3`]);
    expect(deadLetters[1]).toMatchObject({ messageId: second, originalMessageId: first, sentTimestamp: 5_000, receiveCount: 3, origin });
  });
});
