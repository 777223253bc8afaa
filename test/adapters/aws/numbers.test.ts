import { GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { PublishBatchCommand, SNSClient, type PublishBatchCommandInput } from '@aws-sdk/client-sns';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAlertQuery } from '../../../src/adapters/aws/alert-query.js';
import { DynamoRuleStore } from '../../../src/adapters/aws/rule-store.js';
import { DynamoAlertStore, DynamoAuditLog, DynamoMarketDataStore, SnsNotifier, alertOf } from '../../../src/adapters/aws/index.js';
import { parseMarketEvent, type MarketEvent } from '../../../src/domain/index.js';
import { MARKET_EVENT_ROUTING } from '../../../src/handlers/config.js';
import { startLocalDynamo, type LocalDynamo } from '../../support/dynamo.js';
import { forever } from '../../support/fakes.js';
import { everyAlerts } from '../../support/ticks.js';

const NOW = Date.parse('2026-11-23T15:00:00Z');

/**
 * A trade's detail as the function receives it: the Lambda runtime JSON.parses the event, so each number is the
 * nearest double (the 38-digit integer becomes 1.2345678901234568e+37). Beyond 2^53, at DynamoDB's range edges
 * (the last double below 1e126 and 1e-130, both signs), and with 17 significant digits.
 */
const DETAIL_JSON = `{"exchange":"NYSE","symbol":"AAPL","price":155.5,"volume":100,"sizes":{
  "two53":9007199254740992,"e16":1e16,"minusE16":-1e16,"e20":1e20,"top":9.99e125,
  "int38":12345678901234567890123456789012345678,"max":9.999999999999998e125,"minusMax":-9.999999999999998e125,
  "min":1e-130,"minusMin":-1e-130,"zero":0,"digits17":0.30000000000000004,"list":[1e21,-1e-7,{"deep":-9.99e125}]}}`;

const received = (): Record<string, unknown> => JSON.parse(DETAIL_JSON) as Record<string, unknown>;

function trade(id: string, detail: unknown): MarketEvent {
  const parsed = parseMarketEvent(
    { id, source: 'market.data', 'detail-type': 'Trade Execution', time: '2026-11-23T14:59:00Z', detail },
    MARKET_EVENT_ROUTING,
    NOW,
  );
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

/** The attribute at a path of a raw item, as DynamoDB holds it. */
function attributeAt(item: Record<string, AttributeValue> | undefined, ...path: string[]): AttributeValue | undefined {
  let value: AttributeValue | undefined = { M: item ?? {} };
  for (const key of path) value = value?.M?.[key];
  return value;
}

describe('numbers are stored exactly as received, on dynalite', () => {
  let db: LocalDynamo;
  beforeAll(async () => (db = await startLocalDynamo()));
  afterAll(async () => db.close());

  it('market-data: every number validation accepts reads back through the adapters as the same number', async () => {
    const event = trade('e-numbers', received());
    const store = new DynamoMarketDataStore(db.documents, db.names.marketDataTable, 30, () => NOW);
    expect(await store.putEvent(event, forever)).toBe('created');
    const key = { event_id: 'e-numbers', timestamp: '2026-11-23T14:59:00.000Z' };
    const { Item } = await db.documents.send(new GetCommand({ TableName: db.names.marketDataTable, Key: key }));
    // toStrictEqual compares numbers with Object.is: the same double, not a BigInt or a string.
    expect(Item?.detail).toStrictEqual(received());
    expect((Item?.detail as { sizes: Record<string, unknown> }).sizes).toMatchObject({
      two53: 9007199254740992,
      e16: 10000000000000000,
      minusE16: -10000000000000000,
      top: 9.99e125,
      int38: 1.2345678901234568e37,
      min: 1e-130,
      digits17: 0.30000000000000004,
    });
    expect(Item).toMatchObject({ price: 155.5, volume: 100 });
  });

  it('market-data: DynamoDB holds the shortest decimal of each double, written out in full', async () => {
    const raw = await db.raw.send(
      new GetItemCommand({
        TableName: db.names.marketDataTable,
        Key: { event_id: { S: 'e-numbers' }, timestamp: { S: '2026-11-23T14:59:00.000Z' } },
      }),
    );
    const n = (...path: string[]) => attributeAt(raw.Item, 'detail', 'sizes', ...path)?.N;
    expect(n('two53')).toBe('9007199254740992');
    expect(n('e16')).toBe('10000000000000000');
    expect(n('minusE16')).toBe('-10000000000000000');
    expect(n('top')).toBe(`999${'0'.repeat(123)}`);
    expect(n('int38')).toBe('12345678901234568000000000000000000000');
    expect(n('min')).toBe(`0.${'0'.repeat(129)}1`);
    expect(n('digits17')).toBe('0.30000000000000004');
    expect(attributeAt(raw.Item, 'detail', 'sizes', 'list')?.L?.[0]?.N).toBe('1000000000000000000000');
  });

  it('market-data: a negative zero is stored as 0, as JSON writes it (DynamoDB has no signed zero)', async () => {
    const event = trade('e-zero', { ...received(), sizes: { zero: -0 } });
    await new DynamoMarketDataStore(db.documents, db.names.marketDataTable, 30, () => NOW).putEvent(event, forever);
    const key = { event_id: 'e-zero', timestamp: '2026-11-23T14:59:00.000Z' };
    const { Item } = await db.documents.send(new GetCommand({ TableName: db.names.marketDataTable, Key: key }));
    expect(Item?.detail).toStrictEqual({ ...received(), sizes: { zero: 0 } });
  });

  it('audit-trail: numbers in an audit record read back as the same numbers', async () => {
    const audit = new DynamoAuditLog(db.documents, db.names.auditTrailTable, 'test', () => NOW);
    const detail = (received() as { sizes: Record<string, unknown> }).sizes;
    await audit.record(
      { eventId: 'e-numbers', eventType: 'Trade Execution', outcome: 'PROCESSED', eventTime: '2026-11-23T14:59:00.000Z', detail },
      forever,
    );
    const key = { audit_id: 'e-numbers#PROCESSED', timestamp: '2026-11-23T14:59:00.000Z' };
    const { Item } = await db.documents.send(new GetCommand({ TableName: db.names.auditTrailTable, Key: key }));
    expect(Item?.detail).toStrictEqual(detail);
  });

  it('alert-rules: a threshold another writer stored beyond 2^53 reads as that number (not a BigInt), which the rule refuses', async () => {
    const item = { symbol: { S: 'BIG' }, above: { N: '10000000000000000' }, below: { N: '9.99e+125' } };
    await db.raw.send(new PutItemCommand({ TableName: db.names.alertRulesTable, Item: item }));
    const store = new DynamoRuleStore(db.raw, db.names.alertRulesTable);
    // A BigInt would be "not a finite number"; a number beyond any price is out of the rule's range.
    const problem = 'above: must be at most 1000000000; below: must be at most 1000000000';
    expect((await store.symbols()).find((s) => s.symbol === 'BIG')).toStrictEqual({ symbol: 'BIG', problem });
    expect((await store.overrides()).get('BIG')).toStrictEqual({ problem });
  });

  it("validation's range is the store's: the doubles just outside it are refused by both", async () => {
    for (const value of [9.999999999999999e-131, -9.999999999999999e-131, 1e126, -1e126, 5e-324, Number.MAX_VALUE]) {
      const parsed = parseMarketEvent(
        { id: 'e', source: 'market.data', 'detail-type': 'Trade Execution', time: '2026-11-23T14:59:00Z', detail: { ...received(), x: value } },
        MARKET_EVENT_ROUTING,
        NOW,
      );
      expect(parsed).toEqual({
        ok: false,
        reason: `detail.x: ${value} is outside what can be stored (0, or a magnitude from 1e-130 to below 1e+126)`,
      });
      const put = new PutItemCommand({
        TableName: db.names.marketDataTable,
        Item: { event_id: { S: `out-${value}` }, timestamp: { S: 't' }, x: { N: String(value) } },
      });
      await expect(db.raw.send(put), String(value)).rejects.toThrow(/^Number (overflow|underflow)\. /);
    }
  });
});

describe('alert prices and thresholds are exact in market-alerts and in the SNS message', () => {
  let db: LocalDynamo;
  beforeAll(async () => (db = await startLocalDynamo()));
  afterAll(async () => db.close());
  // The extremes validation allows for a price (1e-12 to 1e9), and prices with 16 and 17 significant digits.
  const alerts = everyAlerts('AAPL', [150.00000000000003, 999999999.9999999, 1e9, 1e-12, 49.99999999999999, 0.30000000000000004]);

  it('market-alerts: each record read back gives the same alert', async () => {
    expect(alerts.map((a) => [a.price, a.threshold])).toEqual([
      [150.00000000000003, 150],
      [999999999.9999999, 150],
      [1e9, 150],
      [1e-12, 50],
      [49.99999999999999, 50],
      [0.30000000000000004, 50],
    ]);
    expect(await new DynamoAlertStore(db.documents, db.names.alertsTable, 'test').putAlerts(alerts, forever)).toEqual(new Map());
    const records = await new DynamoAlertQuery(db.documents, db.names.alertsTable).list({ symbol: 'AAPL' });
    expect(records.map(alertOf)).toStrictEqual(alerts);
  });

  it('SNS: the message body carries each price and threshold to the last digit', async () => {
    const sns = mockClient(SNSClient);
    try {
      sns.on(PublishBatchCommand).resolves({ Failed: [] });
      expect(
        await new SnsNotifier(new SNSClient({ region: 'us-east-1' }), 'arn:aws:sns:us-east-1:123456789012:t', 'test').notify(alerts, forever),
      ).toEqual(new Map());
      const bodies = sns
        .commandCalls(PublishBatchCommand)
        .flatMap((c) => (c.args[0].input as PublishBatchCommandInput).PublishBatchRequestEntries ?? [])
        .map((e) => JSON.parse(e.Message ?? '') as { price: number; threshold: number });
      expect(bodies.map((b) => [b.price, b.threshold])).toStrictEqual(alerts.map((a) => [a.price, a.threshold]));
    } finally {
      sns.restore();
    }
  });
});
