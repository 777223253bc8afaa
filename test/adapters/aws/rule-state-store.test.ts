import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
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
    expect(await store.saveState('AAPL', read(0), change, forever)).toBe('conflict');
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
    expect(await store.saveState('AAPL', read(1), change, forever)).toBe('conflict');
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
    // Refused as a whole, with why: the engine applies the default rule to BAD and reports it.
    expect(records.get('BAD')).toEqual({
      ruleProblem: 'above: must be greater than 0; below: must be a finite number; mode: must be one of cross, every',
      pending: [],
      inbox: [],
      version: 0,
    });
    expect(await store.saveState('TSLA', read(3), change, forever)).toBe('saved');
    const item = (await db.documents.send(new GetCommand({ TableName: db.names.alertRulesTable, Key: { symbol: 'TSLA' } }))).Item!;
    expect(Object.keys(item).sort()).toEqual(['above', 'inbox', 'mode', 'pending', 'symbol', 'version', 'window']);
  });

  it('takes ticks handed over without a condition, and folds them only on a write that read them all', async () => {
    const [a, b, c] = series('HAND', [151, 152, 153.25], T0);
    const one = { ticks: [a!], thresholds: { above: 150, below: 50 }, at: T0 };
    const first = await store.handOver('HAND', one, forever);
    expect(first).toEqual({ pending: [], inbox: [one], version: 0 });
    // Several ticks per hand-over, under their own thresholds; a tick timed by the queue keeps its source.
    const two = { ticks: [b!, { ...c!, source: 'message-c' }], thresholds: { above: 160.5, below: 40 }, at: T0 + 5 };
    const second = await store.handOver('HAND', two, forever);
    expect(second.inbox).toEqual([one, two]);
    const item = (await db.documents.send(new GetCommand({ TableName: db.names.alertRulesTable, Key: { symbol: 'HAND' } }))).Item!;
    expect(item.inbox).toEqual([
      { above: 150, below: 50, at: T0, t: [T0], p: [151] },
      { above: 160.5, below: 40, at: T0 + 5, t: [T0 + 1000, T0 + 2000], p: [152, 153.25], s: { '1': 'message-c' } },
    ]);
    // A write that read the first hand-over takes out just that one: the second, made since, stays for the next write.
    expect(await store.saveState('HAND', first, change, forever)).toBe('saved');
    expect(await store.load(['HAND'], forever).then((r) => r.get('HAND'))).toMatchObject({ inbox: [two], version: 1 });
    expect(await store.saveState('HAND', first, change, forever)).toBe('conflict');
    const third = await store.handOver('HAND', one, forever);
    expect(third.inbox).toEqual([two, one]);
    expect(await store.saveState('HAND', third, change, forever)).toBe('saved');
    expect(await store.load(['HAND'], forever).then((r) => r.get('HAND'))).toMatchObject({ inbox: [], version: 2 });
    // A write that read an empty inbox folds its own ticks: a hand-over made since comes first, so it loses.
    await store.handOver('HAND', one, forever);
    expect(await store.saveState('HAND', read(2), change, forever)).toBe('conflict');
  });

  it('takes a long inbox whole, on condition that nothing was handed over since', async () => {
    const one = { ticks: series('LONG', [151], T0), thresholds: { above: 150, below: 50 }, at: T0 };
    for (let i = 0; i < 201; i++) await store.handOver('LONG', one, forever);
    const long = (await store.load(['LONG'], forever)).get('LONG')!;
    expect(long.inbox).toHaveLength(201);
    await store.handOver('LONG', one, forever);
    expect(await store.saveState('LONG', long, change, forever)).toBe('conflict');
    const all = (await store.load(['LONG'], forever)).get('LONG')!;
    expect(await store.saveState('LONG', all, change, forever)).toBe('saved');
    expect(await store.load(['LONG'], forever).then((r) => r.get('LONG'))).toMatchObject({ inbox: [], version: 1 });
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

  it('reads nothing on a lost race: the batch learns the state from its hand-over', async () => {
    mock.reset();
    mock.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    expect(await store.saveState('A', read(6), change, forever)).toBe('conflict');
    expect(mock.commandCalls(UpdateCommand)[0]!.args[0].input).toMatchObject({
      UpdateExpression:
        'SET #window = :window, #pending = :pending, #version = :next, #inbox = if_not_exists(#inbox, :empty) REMOVE #r0, #r1, #r2, #r3',
      ConditionExpression: '#version = :expected AND (attribute_not_exists(#inbox) OR size(#inbox) = :zero)',
    });
    expect(mock.calls()).toHaveLength(1);
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
