import type { DeliveryFailures } from '../../../src/pipeline/ports.js';
import { PublishBatchCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SnsNotifier } from '../../../src/adapters/aws/index.js';
import type { Alert } from '../../../src/domain/index.js';
import { NO_WAIT, expired, forever } from '../../support/fakes.js';
import { everyAlerts } from '../../support/ticks.js';

/** The failures as their messages, each checked to be a notification failure. */
const described = (failures: DeliveryFailures): Map<string, string> =>
  new Map([...failures].map(([id, failure]) => [id, failure.stage === 'notification' ? failure.message : `${failure.stage}: ${failure.message}`]));

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:trading-alerts-test';
const alertsFor = (n: number): Alert[] =>
  everyAlerts(
    'AAPL',
    Array.from({ length: n }, (_, i) => 151 + i),
  );

describe('SnsNotifier', () => {
  const sns = mockClient(SNSClient);
  const notifier = new SnsNotifier(new SNSClient({ region: 'us-east-1' }), TOPIC, 'test', NO_WAIT);
  beforeEach(() => sns.reset());

  it('publishes 10 per call with the alert id and filterable attributes', async () => {
    sns.on(PublishBatchCommand).resolves({ Successful: [], Failed: [] });
    const alerts = alertsFor(23);
    expect(await notifier.notify([...alerts, alerts[0]!], forever)).toEqual(new Map());
    const calls = sns.commandCalls(PublishBatchCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.PublishBatchRequestEntries?.length)).toEqual([10, 10, 3]);
    const entry = calls[0]!.PublishBatchRequestEntries![0]!;
    expect(calls[0]!.TopicArn).toBe(TOPIC);
    expect(entry.Id).toBe(alerts[0]!.alertId);
    expect(entry.Subject).toBe('Trading alert: AAPL HIGH');
    expect(entry.MessageAttributes).toEqual({
      symbol: { DataType: 'String', StringValue: 'AAPL' },
      alert_type: { DataType: 'String', StringValue: 'HIGH' },
      alert_id: { DataType: 'String', StringValue: alerts[0]!.alertId },
      kind: { DataType: 'String', StringValue: 'thresholds' },
    });
    expect(JSON.parse(entry.Message!)).toMatchObject({
      alert_id: alerts[0]!.alertId,
      symbol: 'AAPL',
      alert_type: 'HIGH',
      price: 151,
      environment: 'test',
    });
  });

  it('retries failed entries, and does not retry what SNS rejects as the sender', async () => {
    const [a, b, c, d] = alertsFor(4);
    sns
      .on(PublishBatchCommand)
      .resolvesOnce({
        Failed: [
          { Id: b!.alertId, Code: 'InternalError', SenderFault: false },
          { Id: c!.alertId, Code: 'InvalidParameter', Message: 'bad attribute', SenderFault: true },
          { Id: d!.alertId, Code: 'KMSAccessDenied', SenderFault: true },
        ],
      })
      .resolvesOnce({ Failed: [] });
    const failures = await notifier.notify([a!, b!, c!, d!], forever);
    expect(described(failures)).toEqual(
      new Map([
        [c!.alertId, 'notification rejected: InvalidParameter: bad attribute'],
        [d!.alertId, 'notification rejected: KMSAccessDenied'],
      ]),
    );
    expect(sns.commandCalls(PublishBatchCommand)[1]!.args[0].input.PublishBatchRequestEntries?.map((e) => e.Id)).toEqual([b!.alertId]);
  });

  it('reports every alert of a call that keeps failing past the time budget', async () => {
    sns.on(PublishBatchCommand).rejects(Object.assign(new Error('rate exceeded'), { name: 'ThrottledException' }));
    const failures = await notifier.notify(alertsFor(2), expired);
    expect([...described(failures).values()]).toEqual([
      'notification not accepted: ThrottledException: rate exceeded; time budget exhausted',
      'notification not accepted: ThrottledException: rate exceeded; time budget exhausted',
    ]);
  });

  it('splits a batch SNS refuses as a whole until only the refused notification is left', async () => {
    const alerts = alertsFor(10);
    const refusedId = alerts[6]!.alertId;
    sns.on(PublishBatchCommand).callsFake(async (input: { PublishBatchRequestEntries: { Id: string }[] }) => {
      if (input.PublishBatchRequestEntries.some((e) => e.Id === refusedId)) {
        throw Object.assign(new Error('Invalid parameter: Message too long'), { name: 'InvalidParameterException' });
      }
      return { Successful: input.PublishBatchRequestEntries.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}` })), Failed: [] };
    });
    const failures = await notifier.notify(alerts, forever);
    expect([...described(failures)]).toEqual([
      [refusedId, 'notification not accepted: InvalidParameterException: Invalid parameter: Message too long'],
    ]);
    const published = sns.commandCalls(PublishBatchCommand).flatMap((c) => c.args[0].input.PublishBatchRequestEntries ?? []);
    expect(new Set(published.map((e) => e.Id))).toEqual(new Set(alerts.map((a) => a.alertId)));
  });
});
