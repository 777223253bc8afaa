import { PublishBatchCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../src/handlers/market-processor.js';
import { startLocalDynamo, type LocalDynamo } from '../support/dynamo.js';
import { useHandlerEnvironment } from '../support/handler-env.js';
import { lambdaContext, marketEvent } from '../support/lambda.js';

describe('market-processor handler', () => {
  let db: LocalDynamo;
  const sns = mockClient(SNSClient);

  beforeAll(async () => {
    db = await startLocalDynamo();
    useHandlerEnvironment(db);
    sns.on(PublishBatchCommand).resolves({ Failed: [] });
  });
  afterAll(async () => {
    sns.restore();
    await db.close();
  });

  it("stores the source documents' trade event, raises its alert and audits it", async () => {
    const event = marketEvent('evt-1', 'Trade Execution', { exchange: 'NYSE', symbol: 'AAPL', price: 150.25, volume: 1000 });
    const result = await handler(event, lambdaContext());
    expect(result).toEqual({ eventId: 'evt-1', stored: 'created', alertIds: [expect.any(String)] });
    expect(await db.scan(db.names.marketDataTable)).toEqual([expect.objectContaining({ event_id: 'evt-1', symbol: 'AAPL', exchange: 'NYSE' })]);
    expect(await db.scan(db.names.auditTrailTable)).toEqual([expect.objectContaining({ audit_id: 'evt-1#PROCESSED', outcome: 'PROCESSED' })]);
    expect(sns.commandCalls(PublishBatchCommand)).toHaveLength(1);
    expect(await handler(event, lambdaContext())).toEqual({ ...result, stored: 'exists' });
    expect(await db.scan(db.names.marketDataTable)).toHaveLength(1);
  });

  it('throws on an invalid event, so that retries and the DLQ apply, after auditing it', async () => {
    const event = marketEvent('evt-2', 'Market Quote', { exchange: 'NYSE', symbol: 'AAPL' });
    await expect(handler(event, lambdaContext())).rejects.toThrow('market event evt-2 rejected: detail.price: a quote needs a price, or both bid and ask');
    expect((await db.scan(db.names.auditTrailTable)).map((i) => i.audit_id)).toContain('evt-2#REJECTED');
  });

  it('throws when the alert cannot be notified, after auditing the failure', async () => {
    sns.on(PublishBatchCommand).resolves({ Failed: [{ Id: 'x', Code: 'x', SenderFault: true }] });
    sns.on(PublishBatchCommand).callsFake(async (input: { PublishBatchRequestEntries: { Id: string }[] }) => ({
      Failed: input.PublishBatchRequestEntries.map((e) => ({ Id: e.Id, Code: 'KMS.AccessDenied', Message: 'no key access', SenderFault: true })),
    }));
    const event = marketEvent('evt-3', 'Price Update', { exchange: 'NYSE', symbol: 'GE', price: 20, volume: 1 });
    await expect(handler(event, lambdaContext())).rejects.toThrow('notification rejected: KMS.AccessDenied: no key access');
    expect((await db.scan(db.names.auditTrailTable)).map((i) => i.audit_id)).toContain('evt-3#FAILED');
  });
});
