import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ruleOverrideOf } from '../../../src/adapters/aws/alert-rules-item.js';
import { ConcurrentRuleChangeError, DynamoRuleStore } from '../../../src/adapters/aws/rule-store.js';
import { encodeWindow } from '../../../src/adapters/aws/window-codec.js';
import type { SymbolWindow } from '../../../src/domain/index.js';
import { sessionTableNames } from '../../../src/local/emulation/paths.js';
import { ensureTables } from '../../../src/local/emulation/tables.js';
import { startLocalDynamo, TEST_CREDENTIALS, type LocalDynamo } from '../../support/dynamo.js';
import { storePausedAfterFirstRead } from '../../support/rule-store.js';

describe('DynamoRuleStore on dynalite', () => {
  let db: LocalDynamo;
  let table: string;
  let store: DynamoRuleStore;
  /** Another writer, on its own client, as a second `rules set` would be. */
  let other: DynamoRuleStore;
  const item = async (symbol: string) => (await db.documents.send(new GetCommand({ TableName: table, Key: { symbol }, ConsistentRead: true }))).Item;
  const put = (fields: Record<string, unknown>) => db.documents.send(new PutCommand({ TableName: table, Item: fields }));

  beforeAll(async () => {
    db = await startLocalDynamo();
    table = db.names.alertRulesTable;
    store = new DynamoRuleStore(db.raw, table, { backoffMs: 1 });
    other = new DynamoRuleStore(new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS }), table);
  });
  afterAll(async () => db.close());

  it('reads a symbol without a rule as no override', async () => {
    expect(await store.read('NONE')).toEqual({ stored: {} });
  });

  it('sets attributes on a new symbol and keeps the engine state of an existing one', async () => {
    expect(await store.change('NEW', () => ({ above: 180 }))).toEqual({ override: { above: 180 }, attempts: 1 });
    expect(await item('NEW')).toEqual({ symbol: 'NEW', above: 180 });

    await put({ symbol: 'AAPL', zone: 'HIGH', since: 1_700_000_000_000, version: 7, below: 40 });
    expect(await store.change('AAPL', (current) => (expect(current).toEqual({ override: { below: 40 } }), { above: 160.5, mode: 'every' }))).toEqual({
      override: { below: 40, above: 160.5, mode: 'every' },
      attempts: 1,
    });
    expect(await item('AAPL')).toEqual({
      symbol: 'AAPL',
      zone: 'HIGH',
      since: 1_700_000_000_000,
      version: 7,
      below: 40,
      above: 160.5,
      mode: 'every',
    });
  });

  it('reads stored values the rule refuses as refused, with why, and still writes only if they are unchanged', async () => {
    await put({ symbol: 'ODD', above: 'high', below: -5, mode: 'sometimes' });
    const reading = await store.read('ODD');
    expect(reading).toEqual({
      problem: 'above: must be a finite number; below: must be greater than 0; mode: must be one of cross, every',
      stored: { above: { S: 'high' }, below: { N: '-5' }, mode: { S: 'sometimes' } },
    });
    expect((await store.change('ODD', () => ({ below: 10 }))).override).toEqual({ below: 10 });
    expect(await item('ODD')).toEqual({ symbol: 'ODD', above: 'high', below: 10, mode: 'sometimes' });
  });

  it('compares numbers exactly as stored, beyond what a JavaScript number holds', async () => {
    // 38 significant digits: as a JavaScript number it would be 150.12345678901234, and a condition on that would fail.
    await db.raw.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { symbol: { S: 'PRECISE' } },
        UpdateExpression: 'SET above = :a',
        ExpressionAttributeValues: { ':a': { N: '150.1234567890123456789012345678901234' } },
      }),
    );
    expect(await store.change('PRECISE', () => ({ mode: 'every' }))).toMatchObject({ attempts: 1 });
    const raw = await db.raw.send(new GetItemCommand({ TableName: table, Key: { symbol: { S: 'PRECISE' } }, ConsistentRead: true }));
    expect(raw.Item).toMatchObject({ above: { N: '150.1234567890123456789012345678901234' }, mode: { S: 'every' } });
  });

  /** A store whose first read is followed, before it can write, by another writer's request. */
  const interleavedWith = (meanwhile: (symbol: string) => Promise<unknown>) => storePausedAfterFirstRead(db.raw, table, meanwhile);

  it('decides again on the new rule when another writer changed it between the read and the write', async () => {
    await put({ symbol: 'RACE', above: 210, below: 10, zone: 'NORMAL', version: 3 });
    const decided: unknown[] = [];
    const outcome = await interleavedWith((symbol) => other.change(symbol, () => ({ mode: 'every' }))).change('RACE', (current) => {
      decided.push(current);
      return { above: 220 };
    });
    expect(decided).toEqual([{ override: { above: 210, below: 10 } }, { override: { above: 210, below: 10, mode: 'every' } }]);
    expect(outcome).toEqual({ override: { above: 220, below: 10, mode: 'every' }, attempts: 2 });
    expect(await item('RACE')).toEqual({ symbol: 'RACE', above: 220, below: 10, mode: 'every', zone: 'NORMAL', version: 3 });
  });

  it('notices a rule removed between the read and the write', async () => {
    await put({ symbol: 'GONE', above: 210 });
    const decided: unknown[] = [];
    await interleavedWith((symbol) => other.remove(symbol)).change('GONE', (current) => (decided.push(current), { below: 100 }));
    expect(decided).toEqual([{ override: { above: 210 } }, {}]);
    expect(await item('GONE')).toEqual({ symbol: 'GONE', below: 100 });
  });

  it('gives up with a clear error when others keep changing the rule', async () => {
    await put({ symbol: 'BUSY', above: 150 });
    let n = 0;
    const busy = new (class extends DynamoRuleStore {
      override async read(symbol: string) {
        const reading = await super.read(symbol);
        await other.change(symbol, () => ({ above: 151 + n++ }));
        return reading;
      }
    })(db.raw, table, { maxAttempts: 3, backoffMs: 1 });
    await expect(busy.change('BUSY', () => ({ below: 10 }))).rejects.toThrow(ConcurrentRuleChangeError);
    await expect(busy.change('BUSY', () => ({ below: 10 }))).rejects.toThrow(
      'the rule of BUSY kept changing while it was being set (3 attempts): try again',
    );
    expect((await item('BUSY'))?.below).toBeUndefined();
  });

  it('writes nothing when the decision refuses the change', async () => {
    await put({ symbol: 'NO', above: 150 });
    await expect(
      store.change('NO', () => {
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await item('NO')).toEqual({ symbol: 'NO', above: 150 });
    await expect(store.change('NO', () => ({}))).rejects.toThrow('nothing to set');
  });

  it('removes an override and keeps the engine state; says when there was none', async () => {
    await put({ symbol: 'DEL', zone: 'LOW', since: 5, version: 2, above: 99, below: 9, mode: 'every' });
    expect(await store.remove('DEL')).toBe(true);
    expect(await item('DEL')).toEqual({ symbol: 'DEL', zone: 'LOW', since: 5, version: 2 });
    expect(await store.remove('DEL')).toBe(false);
    expect(await store.remove('NEVER')).toBe(false);
  });
});

describe('ruleOverrideOf', () => {
  it("reads the rule attributes with the rule's parser: usable, or refused as a whole with why", () => {
    expect(ruleOverrideOf({ above: 300, mode: 'every', zone: 'HIGH', version: 3 })).toEqual({ override: { above: 300, mode: 'every' } });
    // One bad value refuses the override: half a rule (above 300 with the default below) is not what anyone wrote.
    expect(ruleOverrideOf({ above: 300, below: 0, mode: 'every' })).toEqual({ problem: 'below: must be greater than 0' });
    expect(ruleOverrideOf({ above: Number.POSITIVE_INFINITY, below: '5', mode: 'sometimes' })).toEqual({
      problem: 'above: must be a finite number; below: must be a finite number; mode: must be one of cross, every',
    });
    expect(ruleOverrideOf({ above: 2e9 })).toEqual({ problem: 'above: must be at most 1000000000' });
    expect(ruleOverrideOf({ zone: 'HIGH' })).toEqual({});
  });
});

describe('DynamoRuleStore over a whole table (dynalite)', () => {
  let db: LocalDynamo;
  let table: string;
  let copy: string;
  let store: DynamoRuleStore;
  const window: SymbolWindow = { observations: [{ eventTime: Date.UTC(2026, 10, 20), price: 152.5, zone: 'HIGH', marked: true }], truncated: false };
  const items = async (name: string) => (await db.scan(name)).sort((a, b) => String(a.symbol).localeCompare(String(b.symbol)));

  beforeAll(async () => {
    db = await startLocalDynamo('whole');
    table = db.names.alertRulesTable;
    await ensureTables(db.raw, 'whole', 'demo');
    copy = sessionTableNames('whole', 'demo').alertRules;
    store = new DynamoRuleStore(db.raw, table);
    const put = (item: Record<string, unknown>) => db.documents.send(new PutCommand({ TableName: table, Item: item }));
    await put({ symbol: 'AAPL', above: 152, version: 4, window: encodeWindow(window), pending: {} });
    await put({ symbol: 'KO', version: 2, window: encodeWindow(window) });
    await put({ symbol: 'ODD', above: 'high', mode: 'every' });
    await put({ symbol: 'MSFT', below: 40 });
  });
  afterAll(() => db.close());

  it('lists every symbol with its override (or why it is refused) and engine window', async () => {
    const symbols = (await store.symbols()).sort((a, b) => a.symbol.localeCompare(b.symbol));
    expect(symbols).toEqual([
      { symbol: 'AAPL', override: { above: 152 }, window },
      { symbol: 'KO', window },
      { symbol: 'MSFT', override: { below: 40 } },
      { symbol: 'ODD', problem: 'above: must be a finite number' },
    ]);
  });

  it('reads every override, usable or refused, and only the overrides', async () => {
    expect(await store.overrides()).toEqual(
      new Map([
        ['AAPL', { override: { above: 152 } }],
        ['MSFT', { override: { below: 40 } }],
        ['ODD', { problem: 'above: must be a finite number' }],
      ]),
    );
  });

  it('copies the overrides exactly as stored, then strips the engine state and keeps the overrides', async () => {
    await store.copyOverridesTo(copy);
    const overrides = [
      { symbol: 'AAPL', above: 152 },
      { symbol: 'MSFT', below: 40 },
      { symbol: 'ODD', above: 'high', mode: 'every' },
    ];
    expect(await items(copy)).toEqual(overrides);
    await store.keepOnlyOverrides();
    expect(await items(table)).toEqual(overrides);
  });
});

describe('DynamoRuleStore when DynamoDB fails', () => {
  const client = new DynamoDBClient({ region: 'us-east-1', credentials: TEST_CREDENTIALS });
  // Only this instance is mocked; the dynalite suite above uses real clients.
  const mock = mockClient(client);
  const store = new DynamoRuleStore(client, 'alert-rules-test', { backoffMs: 1 });
  const throttled = () =>
    Object.assign(new Error('Rate of requests exceeds the allowed throughput'), { name: 'ProvisionedThroughputExceededException' });

  it('reads the rule with a strongly consistent read, so the condition compares against the newest value', async () => {
    mock.reset();
    mock.on(GetItemCommand).resolves({});
    mock.on(UpdateItemCommand).resolves({});
    await store.change('AAPL', () => ({ above: 160 }));
    expect(mock.commandCalls(GetItemCommand)[0]!.args[0].input).toMatchObject({
      TableName: 'alert-rules-test',
      Key: { symbol: { S: 'AAPL' } },
      ConsistentRead: true,
    });
  });

  it('reports a failed write or removal as the error it is, never as a lost race or a missing rule', async () => {
    mock.reset();
    mock.on(GetItemCommand).resolves({});
    mock.on(UpdateItemCommand).rejects(throttled());
    await expect(store.change('AAPL', () => ({ above: 160 }))).rejects.toThrow('Rate of requests exceeds the allowed throughput');
    expect(mock.commandCalls(UpdateItemCommand)).toHaveLength(1);
    await expect(store.remove('AAPL')).rejects.toThrow('Rate of requests exceeds the allowed throughput');
  });
});
