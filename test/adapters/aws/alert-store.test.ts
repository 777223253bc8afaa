import { BatchGetCommand, BatchWriteCommand, type BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoAlertStore, createDocumentClient, alertRecord } from '../../../src/adapters/aws/index.js';
import type { Alert } from '../../../src/domain/index.js';
import { startLocalDynamo, type LocalDynamo } from '../../support/dynamo.js';
import { NO_WAIT, expired, forever } from '../../support/fakes.js';
import { everyAlerts } from '../../support/ticks.js';

const alertsFor = (symbol: string, n: number): Alert[] =>
  everyAlerts(
    symbol,
    Array.from({ length: n }, (_, i) => 151 + i),
  );

describe('DynamoAlertStore on dynalite', () => {
  let db: LocalDynamo;
  beforeAll(async () => (db = await startLocalDynamo()));
  afterAll(async () => db.close());

  it('writes each alert once, however often it is written', async () => {
    const store = new DynamoAlertStore(db.documents, db.names.alertsTable, 'test');
    const alerts = alertsFor('AAPL', 30);
    expect(await store.putAlerts(alerts, forever)).toEqual(new Map());
    expect(await store.putAlerts([...alerts, ...alerts.slice(0, 5)], forever)).toEqual(new Map());
    const items = await db.scan(db.names.alertsTable);
    expect(items).toHaveLength(30);
    expect(items).toContainEqual(alertRecord(alerts[0]!, 'test'));
    expect(alertRecord(alerts[0]!, 'test')).toMatchObject({
      symbol: 'AAPL',
      alert_type: 'HIGH',
      price: 151,
      threshold: 150,
      rule: 'every',
      environment: 'test',
    });
  });
});

describe('DynamoAlertStore retries', () => {
  const documents = createDocumentClient();
  // Only this instance is mocked; the dynalite suite above uses real clients.
  const mock = mockClient(documents);
  const store = new DynamoAlertStore(documents, 'market-alerts-test', 'test', NO_WAIT);
  const alerts = alertsFor('MSFT', 3);
  const unprocessed = (items: Alert[]) => ({
    UnprocessedItems: { 'market-alerts-test': items.map((a) => ({ PutRequest: { Item: alertRecord(a, 'test') } })) },
  });
  beforeEach(() => mock.reset());

  it('retries UnprocessedItems and throttling with backoff', async () => {
    mock
      .on(BatchWriteCommand)
      .resolvesOnce(unprocessed(alerts.slice(1)))
      .rejectsOnce(Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }))
      .resolvesOnce({});
    expect(await store.putAlerts(alerts, forever)).toEqual(new Map());
    const calls = mock
      .commandCalls(BatchWriteCommand)
      .map((c) => (c.args[0].input as BatchWriteCommandInput).RequestItems?.['market-alerts-test']?.length);
    expect(calls).toEqual([3, 2, 2]);
  });

  it('reports what is still unprocessed when the time budget runs out', async () => {
    mock.on(BatchWriteCommand).resolves(unprocessed(alerts.slice(2)));
    const failures = await store.putAlerts(alerts, expired);
    expect([...failures.keys()]).toEqual([alerts[2]!.alertId]);
    expect(failures.get(alerts[2]!.alertId)).toMatchObject({
      stage: 'record',
      message: expect.stringMatching(/^alert not written: .*time budget exhausted$/),
    });
  });

  it('looks up records again for the keys DynamoDB left unprocessed, and says when some stay unknown', async () => {
    const [a, b, c] = alertsFor('AAPL', 3);
    const keyOf = (alert: Alert) => ({ symbol: alert.symbol, timestamp: alertRecord(alert, 'test').timestamp });
    mock
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { 'market-alerts-test': [{ alert_id: a!.alertId }] },
        UnprocessedKeys: { 'market-alerts-test': { Keys: [keyOf(b!), keyOf(c!)] } },
      })
      .resolvesOnce({ Responses: { 'market-alerts-test': [{ alert_id: c!.alertId }] } });
    expect(await store.recorded([a!, b!, c!], forever)).toEqual(new Set([a!.alertId, c!.alertId]));
    const asked = mock.commandCalls(BatchGetCommand).map((call) => call.args[0].input.RequestItems?.['market-alerts-test']?.Keys);
    expect(asked).toEqual([
      [keyOf(a!), keyOf(b!), keyOf(c!)],
      [keyOf(b!), keyOf(c!)],
    ]);

    mock.reset();
    mock.on(BatchGetCommand).resolves({ UnprocessedKeys: { 'market-alerts-test': { Keys: [keyOf(b!)] } } });
    await expect(store.recorded([b!], expired)).rejects.toThrow(/^could not look up 1 alert record\(s\): .*time budget exhausted$/);
  });

  it('splits more than 25 alerts into several calls', async () => {
    mock.on(BatchWriteCommand).resolves({});
    await store.putAlerts(alertsFor('IBM', 26), forever);
    expect(mock.commandCalls(BatchWriteCommand)).toHaveLength(2);
  });
});

describe('DynamoAlertStore: one refused item fails only itself', () => {
  let db: LocalDynamo;
  beforeAll(async () => (db = await startLocalDynamo()));
  afterAll(async () => db.close());

  it('splits a batch DynamoDB refuses until only the refused alert is left, and writes the rest', async () => {
    const store = new DynamoAlertStore(db.documents, db.names.alertsTable, 'test', NO_WAIT);
    const alerts = alertsFor('KO', 25);
    // A threshold no store can hold (the rules' validation keeps these out; this is the last line of defence).
    const poisoned = { ...alerts[13]!, threshold: 1e-200 };
    const failures = await store.putAlerts([...alerts.slice(0, 13), poisoned, ...alerts.slice(14)], forever);
    expect([...failures.keys()]).toEqual([poisoned.alertId]);
    expect(failures.get(poisoned.alertId)).toMatchObject({
      stage: 'record',
      message: expect.stringMatching(/^alert not written: ValidationException: .*underflow/),
    });
    expect(await db.scan(db.names.alertsTable)).toHaveLength(24);
  });
});
