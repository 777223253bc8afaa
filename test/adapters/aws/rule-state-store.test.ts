import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRuleStateStore, createDocumentClient, recordOf } from '../../../src/adapters/aws/index.js';
import { evaluate } from '../../../src/domain/index.js';
import type { PendingAlert, StateChange, SymbolRecord } from '../../../src/pipeline/index.js';
import { startLocalDynamo, type LocalDynamo } from '../../support/dynamo.js';
import { NO_WAIT, expired, forever } from '../../support/fakes.js';
import { T0, series } from '../../support/ticks.js';

const evaluation = evaluate('AAPL', { above: 150, below: 50, mode: 'cross' }, undefined, series('AAPL', [100, 155.25]), 256);
const pending: PendingAlert = { ...evaluation.raised[0]!, raisedAt: T0 };
const change: StateChange = { window: evaluation.next!, pending: [pending] };
/** What a batch read: the version, and how many ticks were in the inbox. */
const read = (version: number, inbox: SymbolRecord['inbox'] = []): SymbolRecord => ({ pending: [], inbox, version });

describe('DynamoRuleStateStore on dynalite', () => {
  let db: LocalDynamo;
  let store: DynamoRuleStateStore;
  beforeAll(async () => {
    db = await startLocalDynamo();
    store = new DynamoRuleStateStore(db.documents, db.names.alertRulesTable);
  });
  afterAll(async () => db.close());

  it('reads unknown symbols as version 0 with no rule, no window and nothing pending', async () => {
    expect(await store.load(['NEW', 'NEW'], forever)).toEqual(new Map([['NEW', { pending: [], inbox: [], version: 0 }]]));
  });

  it('saves the window and the pending alerts only on the expected version, and reads them back exactly', async () => {
    expect(await store.saveState('AAPL', read(0), change, forever)).toBe('saved');
    expect(await store.saveState('AAPL', read(0), change, forever)).toMatchObject({ conflict: expect.anything() });
    expect(await store.load(['AAPL'], forever).then((r) => r.get('AAPL'))).toEqual({
      window: change.window,
      pending: [pending],
      inbox: [],
      version: 1,
    });
    const item = (await db.documents.send(new GetCommand({ TableName: db.names.alertRulesTable, Key: { symbol: 'AAPL' } }))).Item!;
    expect(item.window).toBeInstanceOf(Uint8Array);
    expect(item.pending).toEqual({
      [pending.alert.alertId]: {
        alert_type: 'HIGH',
        price: 155.25,
        threshold: 150,
        mode: 'cross',
        event_time: T0 + 1000,
        tick_key: pending.alert.tickKey,
        owner: pending.owner,
        raised_at: T0,
      },
    });
    expect(await store.saveState('AAPL', read(1), { window: change.window, pending: [] }, forever)).toBe('saved');
    expect(await store.saveState('AAPL', read(1), change, forever)).toMatchObject({ conflict: expect.anything() });
    expect(await store.load(['AAPL'], forever).then((r) => r.get('AAPL'))).toMatchObject({ pending: [], version: 2 });
  });

  it("keeps rule overrides beside the state, ignores malformed ones, and retires the first version's state attributes", async () => {
    await db.documents.send(
      new PutCommand({
        TableName: db.names.alertRulesTable,
        Item: { symbol: 'TSLA', above: 300, mode: 'every', zone: 'HIGH', since: 5, version: 3 },
      }),
    );
    await db.documents.send(
      new PutCommand({ TableName: db.names.alertRulesTable, Item: { symbol: 'BAD', above: -1, below: 'x', mode: 'sometimes' } }),
    );
    const records = await store.load(['TSLA', 'BAD'], forever);
    expect(records.get('TSLA')).toEqual({ rule: { above: 300, mode: 'every' }, pending: [], inbox: [], version: 3 });
    expect(records.get('BAD')).toEqual({ pending: [], inbox: [], version: 0 });
    expect(await store.saveState('TSLA', read(3), change, forever)).toBe('saved');
    const item = (await db.documents.send(new GetCommand({ TableName: db.names.alertRulesTable, Key: { symbol: 'TSLA' } }))).Item!;
    expect(Object.keys(item).sort()).toEqual(['above', 'inbox', 'mode', 'pending', 'symbol', 'version', 'window']);
  });

  it('takes ticks handed over without a condition, and folds them only on a write that read them all', async () => {
    const [a, b] = series('HAND', [151, 152], T0);
    const first = await store.handOver('HAND', [a!], forever);
    expect(first).toEqual({ pending: [], inbox: [a], version: 0 });
    const withSource = { ...b!, source: 'message-b' };
    const second = await store.handOver('HAND', [withSource], forever);
    expect(second.inbox).toEqual([a, withSource]);
    // A write that read one handed-over tick loses to the hand-over of the second: nothing handed over is dropped.
    expect(await store.saveState('HAND', first, change, forever)).toMatchObject({ conflict: expect.anything() });
    expect(await store.load(['HAND'], forever).then((r) => r.get('HAND'))).toEqual(second);
    expect(await store.saveState('HAND', second, change, forever)).toBe('saved');
    expect(await store.load(['HAND'], forever).then((r) => r.get('HAND'))).toMatchObject({ inbox: [], version: 1 });
    // And a write that read an empty inbox loses to a hand-over made since.
    await store.handOver('HAND', [a!], forever);
    expect(await store.saveState('HAND', read(1), change, forever)).toMatchObject({ conflict: expect.anything() });
  });

  it('maps an item without engine state', () => {
    expect(recordOf({ symbol: 'X', below: 20 })).toEqual({ rule: { below: 20 }, pending: [], inbox: [], version: 0 });
    expect(recordOf(undefined)).toEqual({ pending: [], inbox: [], version: 0 });
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
      .resolvesOnce({
        Responses: { 'alert-rules-test': [{ symbol: 'A', version: 3 }] },
        UnprocessedKeys: { 'alert-rules-test': { Keys: [{ symbol: 'B' }] } },
      })
      .resolvesOnce({ Responses: { 'alert-rules-test': [{ symbol: 'B', version: 1 }] } });
    const records = await store.load(['A', 'B'], forever);
    expect([...records].map(([s, r]) => [s, r.version])).toEqual([
      ['A', 3],
      ['B', 1],
    ]);
  });

  it("takes the winner's item returned with a lost race instead of reading it again, and reads it when none came back", async () => {
    mock.reset();
    const winner = { symbol: 'A', version: 7, below: 20 };
    mock
      .on(UpdateCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, Item: marshall(winner) }))
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    mock.on(GetCommand).resolves({ Item: { symbol: 'A', version: 8 } });
    expect(await store.saveState('A', read(6), change, forever)).toEqual({ conflict: { rule: { below: 20 }, pending: [], inbox: [], version: 7 } });
    expect(mock.commandCalls(UpdateCommand)[0]!.args[0].input).toMatchObject({
      ConditionExpression: '#version = :expected AND (attribute_not_exists(#inbox) OR size(#inbox) = :zero)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(mock.commandCalls(GetCommand)).toHaveLength(0);
    expect(await store.saveState('A', read(7), change, forever)).toEqual({ conflict: { pending: [], inbox: [], version: 8 } });
    expect(mock.commandCalls(GetCommand)[0]!.args[0].input).toEqual({ TableName: 'alert-rules-test', Key: { symbol: 'A' }, ConsistentRead: true });
  });

  it("reads the winner's item as a load does: a number beyond 2^53 is a number", async () => {
    mock.reset();
    const Item = { symbol: { S: 'A' }, version: { N: '7' }, above: { N: '10000000000000000' } };
    mock.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, Item }));
    expect(await store.saveState('A', read(6), change, forever)).toEqual({ conflict: { rule: { above: 1e16 }, pending: [], inbox: [], version: 7 } });
  });

  it('fails the load, naming the symbols, when keys stay unprocessed past the budget', async () => {
    mock.reset();
    mock.on(BatchGetCommand).resolves({ UnprocessedKeys: { 'alert-rules-test': { Keys: [{ symbol: 'A' }] } } });
    await expect(store.load(['A'], expired)).rejects.toThrow(/could not read alert rules for A: .*time budget exhausted/);
  });

  it('reads state with strongly consistent reads: a version check against a stale read would only lose races', async () => {
    mock.reset();
    mock.on(BatchGetCommand).resolves({ Responses: { 'alert-rules-test': [] } });
    await store.load(['A'], forever);
    expect(mock.commandCalls(BatchGetCommand)[0]!.args[0].input.RequestItems).toEqual({
      'alert-rules-test': { Keys: [{ symbol: 'A' }], ConsistentRead: true },
    });
  });

  it('reports a failed state write as a failure, not as a lost race', async () => {
    mock.reset();
    mock.on(UpdateCommand).rejects(Object.assign(new Error('One or more parameter values were invalid'), { name: 'ValidationException' }));
    await expect(store.saveState('A', read(1), change, forever)).rejects.toThrow('One or more parameter values were invalid');
  });
});
