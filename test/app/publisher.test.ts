import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { Publisher, type PublishFailure } from '../../src/app/publisher.js';
import { NO_WAIT } from '../support/fakes.js';

const sqsMock = mockClient(SQSClient);
const eventsMock = mockClient(EventBridgeClient);

function publisher(retryBudgetMs = 60_000) {
  const failures: PublishFailure[] = [];
  const instance = new Publisher({
    sqs: new SQSClient({ region: 'us-east-1' }),
    events: new EventBridgeClient({ region: 'us-east-1' }),
    queueUrl: async () => 'https://sqs.example/q',
    busName: 'market-data-bus-test',
    backoff: NO_WAIT,
    retryBudgetMs,
    onFailure: (f) => failures.push(f),
  });
  return { instance, failures };
}

const tick = (i: number) => JSON.stringify({ symbol: 'AAPL', price: 100 + i });
const event = { source: 'market.data', detailType: 'Trade Execution', detail: { symbol: 'AAPL', price: 1 }, time: '2026-11-20T14:00:00Z' };

describe('Publisher', () => {
  afterEach(() => {
    sqsMock.reset();
    eventsMock.reset();
  });

  it('sends ticks 10 per SendMessageBatch and events 10 per PutEvents', async () => {
    sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    const { instance, failures } = publisher();
    for (let i = 0; i < 23; i++) await instance.tick(tick(i), i + 1);
    for (let i = 0; i < 12; i++) await instance.event(event, 100 + i);
    await instance.close();
    expect(sqsMock.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries?.length)).toEqual([10, 10, 3]);
    const first = sqsMock.commandCalls(SendMessageBatchCommand)[0]!.args[0].input;
    expect(first.QueueUrl).toBe('https://sqs.example/q');
    expect(first.Entries?.[0]).toEqual({ Id: '0', MessageBody: tick(0) });
    const puts = eventsMock.commandCalls(PutEventsCommand);
    expect(puts.map((c) => c.args[0].input.Entries?.length)).toEqual([10, 2]);
    expect(puts[0]!.args[0].input.Entries![0]).toEqual({
      EventBusName: 'market-data-bus-test',
      Source: 'market.data',
      DetailType: 'Trade Execution',
      Detail: '{"symbol":"AAPL","price":1}',
      Time: new Date('2026-11-20T14:00:00Z'),
    });
    expect(instance.ticksSent).toBe(23);
    expect(instance.eventsSent).toBe(12);
    expect(failures).toEqual([]);
  });

  it('retries only the failed entries, and reports those the sender got wrong with their line', async () => {
    sqsMock
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Failed: [
          { Id: '0', SenderFault: false, Code: 'InternalError' },
          { Id: '1', SenderFault: true, Code: 'InvalidMessageContents', Message: 'bad characters' },
        ],
      })
      .resolves({ Failed: [] });
    const { instance, failures } = publisher();
    await instance.tick(tick(1), 11);
    await instance.tick(tick(2), 12);
    await instance.tick(tick(3), 13);
    await instance.close();
    const calls = sqsMock.commandCalls(SendMessageBatchCommand);
    expect(calls.map((c) => c.args[0].input.Entries?.map((e) => e.MessageBody))).toEqual([[tick(1), tick(2), tick(3)], [tick(1)]]);
    expect(failures).toEqual([{ kind: 'tick', line: 12, reason: 'InvalidMessageContents: bad characters' }]);
    expect(instance.ticksSent).toBe(2);
  });

  it('retries throttled events and gives up on the others, naming the line', async () => {
    eventsMock
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 2,
        Entries: [{ ErrorCode: 'ThrottlingException' }, { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed' }, { EventId: 'e' }],
      })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e2' }] });
    const { instance, failures } = publisher();
    for (const line of [1, 2, 3]) await instance.event(event, line);
    await instance.close();
    expect(eventsMock.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries?.length)).toEqual([3, 1]);
    expect(failures).toEqual([{ kind: 'event', line: 2, reason: 'MalformedDetail: Detail is malformed' }]);
    expect(instance.eventsSent).toBe(2);
  });

  it('reports entries still failing when the retry budget runs out', async () => {
    sqsMock.on(SendMessageBatchCommand).resolves({ Failed: [{ Id: '0', SenderFault: false, Code: 'ServiceUnavailable', Message: 'try later' }] });
    const { instance, failures } = publisher(0);
    await instance.tick(tick(1), 5);
    await instance.close();
    expect(failures).toEqual([{ kind: 'tick', line: 5, reason: 'ServiceUnavailable: try later' }]);
    expect(instance.ticksSent).toBe(0);
  });

  it('stops at the first call that fails as a whole, with a clear reason', async () => {
    const denied = Object.assign(new Error('not authorized to perform sqs:SendMessage'), { name: 'AccessDenied' });
    sqsMock.on(SendMessageBatchCommand).rejects(denied);
    const { instance, failures } = publisher();
    for (let i = 0; i < 10; i++) await instance.tick(tick(i), i + 1);
    await expect(instance.close()).rejects.toThrow('publishing stopped: not authorized to perform sqs:SendMessage');
    await expect(instance.tick(tick(11), 11)).rejects.toThrow('publishing stopped');
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
    expect(failures).toHaveLength(10);
    expect(failures[0]).toMatchObject({
      kind: 'tick',
      line: 1,
      reason: 'not authorized to perform sqs:SendMessage',
      cause: { context: { service: 'SQS' } },
    });
  });

  it('reports an event too deep to write as JSON, and sends the rest', async () => {
    eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{}] });
    const { instance, failures } = publisher();
    let detail: unknown = { symbol: 'AAPL', price: 1 };
    for (let i = 0; i < 100_000; i++) detail = { a: detail };
    await instance.event({ ...event, detail: detail as Record<string, unknown> }, 7);
    await instance.event(event, 8);
    await instance.close();
    expect(failures).toEqual([
      { kind: 'event', line: 7, reason: 'not sent: the detail cannot be written as JSON (Maximum call stack size exceeded)' },
    ]);
    expect(eventsMock.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries?.length)).toEqual([1]);
  });

  it('refuses a message over the request size limit without sending it', async () => {
    sqsMock.on(SendMessageBatchCommand).resolves({ Failed: [] });
    const { instance, failures } = publisher();
    await instance.tick('x'.repeat(300 * 1024), 4);
    await instance.close();
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
    expect(failures[0]).toMatchObject({ line: 4, reason: expect.stringMatching(/over the 262144-byte limit/) });
  });
});
