import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it, vi } from 'vitest';
import {
  DynamoAlertStore,
  DynamoAuditLog,
  DynamoMarketDataStore,
  DynamoRuleStateStore,
  SnsNotifier,
  SqsEventDeadLetters,
} from '../../../src/adapters/aws/index.js';
import { parseMarketEvent, type MarketEvent } from '../../../src/domain/index.js';
import { MARKET_EVENT_ROUTING } from '../../../src/handlers/config.js';
import { forever } from '../../support/fakes.js';
import { everyAlerts } from '../../support/ticks.js';

function aMarketEvent(): MarketEvent {
  const detail = { exchange: 'NYSE', symbol: 'AAPL', price: 150.25, volume: 1 };
  const parsed = parseMarketEvent(
    { id: 'e-1', source: 'market.data', 'detail-type': 'Trade Execution', time: '2026-11-23T14:59:00Z', detail },
    MARKET_EVENT_ROUTING,
    Date.parse('2026-11-23T15:00:00Z'),
  );
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

/** A client that answers every call with `answer` and keeps the options each call was sent with. */
function recordingClient<T>(answer: unknown) {
  const options: { abortSignal?: AbortSignal }[] = [];
  const client = { send: vi.fn(async (_command: unknown, opts: { abortSignal?: AbortSignal }) => (options.push(opts), answer)) } as unknown as T;
  return { client, options };
}

const abortable = (options: { abortSignal?: AbortSignal }[]) => options.map((o) => o.abortSignal instanceof AbortSignal && !o.abortSignal.aborted);

describe('every AWS call is cut off when the time budget runs out', () => {
  const [alert] = everyAlerts('AAPL', [151]);

  it('alerts, rules and state, market data and audit records on DynamoDB', async () => {
    const { client, options } = recordingClient<DynamoDBDocumentClient>({});
    await new DynamoAlertStore(client, 't', 'test').putAlerts([alert!], forever);
    await new DynamoAlertStore(client, 't', 'test').recorded([alert!], forever);
    const rules = new DynamoRuleStateStore(client, 't');
    await rules.load(['AAPL'], forever);
    await rules.saveState('AAPL', { pending: [], inbox: [], version: 0 }, { window: { observations: [], truncated: false }, pending: [] }, forever);
    await rules.handOver('AAPL', { ticks: [], thresholds: { above: 150, below: 50 }, at: 0 }, forever);
    await new DynamoMarketDataStore(client, 't', 30).putEvent(aMarketEvent(), forever);
    await new DynamoAuditLog(client, 't', 'test').record(
      { eventId: 'e', eventType: 'Trade Execution', outcome: 'PROCESSED', eventTime: '2026-11-23T00:00:00Z', detail: {} },
      forever,
    );
    expect(abortable(options)).toEqual([true, true, true, true, true, true, true]);
  });

  it('notifications on SNS and dead letters on SQS', async () => {
    const sns = recordingClient<SNSClient>({ Successful: [], Failed: [] });
    await new SnsNotifier(sns.client, 'arn:aws:sns:us-east-1:123456789012:t', 'test').notify([alert!], forever);
    const sqs = recordingClient<SQSClient>({ MessageId: 'm' });
    await new SqsEventDeadLetters(sqs.client, 'https://sqs.us-east-1.amazonaws.com/123456789012/q').send({ id: 'e' }, 'bad', 'e', forever);
    expect([...abortable(sns.options), ...abortable(sqs.options)]).toEqual([true, true]);
  });
});

describe('SqsEventDeadLetters', () => {
  it('marks a dead letter whose event was cut down', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const sqs = recordingClient<SQSClient>({ MessageId: 'm' });
    await new SqsEventDeadLetters(sqs.client, 'q').send({ id: 'e', detail: deep }, 'bad', 'e', forever);
    const calls = (
      sqs.client.send as unknown as { mock: { calls: { input: { MessageBody: string; MessageAttributes: Record<string, unknown> } }[][] } }
    ).mock.calls;
    expect(calls[0]![0]!.input.MessageBody).toBe('{"id":"e","detail":"left out: event: nests deeper than 64 levels"}');
    expect(calls[0]![0]!.input.MessageAttributes.Truncated).toEqual({ DataType: 'String', StringValue: 'true' });
  });
});
