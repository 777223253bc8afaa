import { BatchGetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRuleStateStore, createDocumentClient, recordOf } from '../../../src/adapters/aws/index.js';
import { evaluate } from '../../../src/domain/index.js';
import { startLocalDynamo, type LocalDynamo } from '../../support/dynamo.js';
import { NO_WAIT, expired, forever } from '../../support/fakes.js';
import { series } from '../../support/ticks.js';

const state = evaluate({ above: 150, below: 50, mode: 'cross' }, undefined, series('AAPL', [155])).nextState!;

describe('DynamoRuleStateStore on dynalite', () => {
  let db: LocalDynamo;
  let store: DynamoRuleStateStore;
  beforeAll(async () => {
    db = await startLocalDynamo();
    store = new DynamoRuleStateStore(db.documents, db.names.alertRulesTable);
  });
  afterAll(async () => db.close());

  it('reads unknown symbols as version 0 with no rule and no state', async () => {
    expect(await store.load(['NEW', 'NEW'], forever)).toEqual(new Map([['NEW', { version: 0 }]]));
  });

  it('saves state only on the expected version', async () => {
    expect(await store.saveState('AAPL', 0, state, forever)).toBe('saved');
    expect(await store.saveState('AAPL', 0, state, forever)).toBe('conflict');
    expect(await store.saveState('AAPL', 1, { ...state, zone: 'NORMAL' }, forever)).toBe('saved');
    expect(await store.saveState('AAPL', 1, state, forever)).toBe('conflict');
    expect(await store.reload('AAPL', forever)).toEqual({ version: 2, state: { ...state, zone: 'NORMAL' } });
  });

  it('reads rule overrides beside the state and ignores malformed ones', async () => {
    await db.documents.send(new PutCommand({ TableName: db.names.alertRulesTable, Item: { symbol: 'TSLA', above: 300, mode: 'every' } }));
    await db.documents.send(new PutCommand({ TableName: db.names.alertRulesTable, Item: { symbol: 'BAD', above: -1, below: 'x', mode: 'sometimes' } }));
    const records = await store.load(['TSLA', 'BAD', 'AAPL'], forever);
    expect(records.get('TSLA')).toEqual({ rule: { above: 300, mode: 'every' }, version: 0 });
    expect(records.get('BAD')).toEqual({ version: 0 });
    expect(records.get('AAPL')?.version).toBe(2);
  });

  it('maps a partial item without failing', () => {
    expect(recordOf({ symbol: 'X', zone: 'HIGH', since: 5 })).toEqual({ state: { zone: 'HIGH', since: 5, tickKey: '', recentAlerts: [] }, version: 0 });
  });
});

describe('DynamoRuleStateStore retries', () => {
  const documents = createDocumentClient();
  // Only this instance is mocked; the dynalite suite above uses real clients.
  const mock = mockClient(documents);
  const store = new DynamoRuleStateStore(documents, 'alert-rules-test', NO_WAIT);

  it('retries UnprocessedKeys', async () => {
    mock.reset();
    mock
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { 'alert-rules-test': [{ symbol: 'A', version: 3 }] }, UnprocessedKeys: { 'alert-rules-test': { Keys: [{ symbol: 'B' }] } } })
      .resolvesOnce({ Responses: { 'alert-rules-test': [{ symbol: 'B', version: 1 }] } });
    const records = await store.load(['A', 'B'], forever);
    expect([...records].map(([s, r]) => [s, r.version])).toEqual([['A', 3], ['B', 1]]);
  });

  it('fails the load, naming the symbols, when keys stay unprocessed past the budget', async () => {
    mock.reset();
    mock.on(BatchGetCommand).resolves({ UnprocessedKeys: { 'alert-rules-test': { Keys: [{ symbol: 'A' }] } } });
    await expect(store.load(['A'], expired)).rejects.toThrow(/could not read alert rules for A: .*time budget exhausted/);
  });
});
