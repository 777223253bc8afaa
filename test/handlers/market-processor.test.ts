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
