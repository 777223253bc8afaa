import { PublishBatchCommand, SNSClient } from '@aws-sdk/client-sns';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../src/handlers/market-processor.js';
import { startLocalDynamo, type LocalDynamo } from '../support/dynamo.js';
import { EVENTS_DLQ_URL, useHandlerEnvironment } from '../support/handler-env.js';
import { lambdaContext, marketEvent } from '../support/lambda.js';

describe('market-processor handler', () => {
  let db: LocalDynamo;
  const sns = mockClient(SNSClient);
  const sqs = mockClient(SQSClient);

  beforeAll(async () => {
    db = await startLocalDynamo();
    useHandlerEnvironment(db);
    sns.on(PublishBatchCommand).resolves({ Failed: [] });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
  });
  afterAll(async () => {
    sns.restore();
    sqs.restore();
    await db.close();
  });

  it("stores the source documents' trade event, raises its alert and audits it", async () => {
    const event = marketEvent('evt-1', 'Trade Execution', { exchange: 'NYSE', symbol: 'AAPL', price: 150.25, volume: 1000 });
    const result = await handler(event, lambdaContext());
    expect(result).toEqual({ status: 'processed', eventId: 'evt-1', stored: 'created', alertIds: [expect.any(String)] });
    expect(await db.scan(db.names.marketDataTable)).toEqual([expect.objectContaining({ event_id: 'evt-1', symbol: 'AAPL', exchange: 'NYSE' })]);
    expect(await db.scan(db.names.auditTrailTable)).toEqual([expect.objectContaining({ audit_id: 'evt-1#PROCESSED', outcome: 'PROCESSED' })]);
    expect(sns.commandCalls(PublishBatchCommand)).toHaveLength(1);
    expect(await handler(event, lambdaContext())).toEqual({ ...result, stored: 'exists', alertIds: [] });
    expect(await db.scan(db.names.marketDataTable)).toHaveLength(1);
  });

  it('stores a trade with numbers beyond 2^53 exactly as received, and still raises its alert', async () => {
    // As the Lambda runtime hands it over: parsed JSON, the 38-digit integer already the nearest double.
    const detail = JSON.parse(
      '{"exchange":"NYSE","symbol":"IBM","price":155.5,"volume":100,"extra":{"a":1e16,"b":-1e16,"c":9.99e125,"d":12345678901234567890123456789012345678,"e":1e-130}}',
    ) as Record<string, unknown>;
    const event = marketEvent('evt-big', 'Trade Execution', detail);
    const result = await handler(event, lambdaContext());
    expect(result).toEqual({ status: 'processed', eventId: 'evt-big', stored: 'created', alertIds: [expect.any(String)] });
    const [stored] = (await db.scan(db.names.marketDataTable)).filter((i) => i.event_id === 'evt-big');
    expect(stored?.detail).toStrictEqual(detail);
    expect((stored?.detail as { extra: unknown }).extra).toStrictEqual({ a: 1e16, b: -1e16, c: 9.99e125, d: 1.2345678901234568e37, e: 1e-130 });
    expect((await db.scan(db.names.auditTrailTable)).map((i) => i.audit_id)).toContain('evt-big#PROCESSED');
    expect((await db.scan(db.names.alertsTable)).filter((i) => i.symbol === 'IBM')).toEqual([
      expect.objectContaining({ alert_type: 'HIGH', price: 155.5, threshold: 150 }),
    ]);
  });

  it('audits an invalid event, sends it straight to the events DLQ with its reason, and succeeds (no retries)', async () => {
    const event = marketEvent('evt-2', 'Market Quote', { exchange: 'NYSE', symbol: 'AAPL' });
    const reason = 'detail.price: a quote needs a price, or both bid and ask';
    expect(await handler(event, lambdaContext())).toEqual({ status: 'rejected', eventId: 'evt-2', reason });
    expect((await db.scan(db.names.auditTrailTable)).map((i) => i.audit_id)).toContain('evt-2#REJECTED');
    const [sent] = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(sent).toEqual({
      QueueUrl: EVENTS_DLQ_URL,
      MessageBody: JSON.stringify(event),
      MessageAttributes: {
        ErrorCode: { DataType: 'String', StringValue: 'InvalidEvent' },
        ErrorMessage: { DataType: 'String', StringValue: reason },
        EventId: { DataType: 'String', StringValue: 'evt-2' },
      },
    });
  });

  it('dead-letters an event nested 5 000 levels deep, with an audit record, instead of overflowing the stack', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i++) deep = [deep];
    const event = marketEvent('evt-deep', 'Trade Execution', deep);
    expect(await handler(event, lambdaContext())).toMatchObject({ status: 'rejected', reason: 'detail: nests deeper than 16 levels' });
    expect((await db.scan(db.names.auditTrailTable)).map((i) => i.audit_id)).toContain('evt-deep#REJECTED');
  });

  it('throws when the alert cannot be notified, after auditing the failure', async () => {
    sns.on(PublishBatchCommand).resolves({ Failed: [{ Id: 'x', Code: 'x', SenderFault: true }] });
    sns.on(PublishBatchCommand).callsFake(async (input: { PublishBatchRequestEntries: { Id: string }[] }) => ({
      Failed: input.PublishBatchRequestEntries.map((e) => ({ Id: e.Id, Code: 'KMS.AccessDenied', Message: 'no key access', SenderFault: true })),
    }));
    const event = marketEvent('evt-3', 'Price Update', { exchange: 'NYSE', symbol: 'GE', price: 20, volume: 1 });
    await expect(handler(event, lambdaContext())).rejects.toThrow('notification rejected: KMS.AccessDenied: no key access');
    expect(sqs.commandCalls(SendMessageCommand).filter((c) => c.args[0].input.MessageAttributes?.EventId?.StringValue === 'evt-3')).toEqual([]);
    expect((await db.scan(db.names.auditTrailTable)).map((i) => i.audit_id)).toContain('evt-3#FAILED');
  });
});
