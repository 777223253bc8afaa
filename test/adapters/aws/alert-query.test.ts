import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertRecord } from '../../../src/adapters/alert-record.js';
import { DynamoAlertQuery, sortKeyRange } from '../../../src/adapters/aws/alert-query.js';
import type { Alert } from '../../../src/domain/index.js';
import { startLocalDynamo, type LocalDynamo } from '../../support/dynamo.js';

const alert = (symbol: string, minute: number, alertType: Alert['alertType'] = 'HIGH', id = `${symbol}${minute}`.padEnd(32, '0')): Alert => ({
  alertId: id,
  symbol,
  alertType,
  price: alertType === 'HIGH' ? 151 : 49,
  threshold: alertType === 'HIGH' ? 150 : 50,
  mode: 'cross',
  eventTime: Date.UTC(2026, 10, 20, 14, minute),
  tickKey: `k-${id}`,
});

describe('DynamoAlertQuery on dynalite', () => {
  let db: LocalDynamo;
  let query: DynamoAlertQuery;
  const stored = [alert('AAPL', 5), alert('AAPL', 1, 'LOW'), alert('MSFT', 3), alert('KO', 3, 'LOW'), alert('AAPL', 9)];

  beforeAll(async () => {
    db = await startLocalDynamo();
    query = new DynamoAlertQuery(db.documents, db.names.alertsTable);
    for (const a of stored) await db.documents.send(new PutCommand({ TableName: db.names.alertsTable, Item: alertRecord(a, 'test') }));
  });
  afterAll(() => db.close());

  it('bounds an event-time range on the alert sort key', () => {
    const [lower, upper] = sortKeyRange(Date.parse('2026-11-20T14:00:00Z'), Date.parse('2026-11-20T15:00:00Z'));
    const key = (iso: string) => `${iso}#3f9c1a2b`;
    expect(key('2026-11-20T14:00:00.000Z') >= lower).toBe(true);
    expect(key('2026-11-20T15:00:00.000Z') <= upper).toBe(true);
    expect(key('2026-11-20T15:00:00.001Z') <= upper).toBe(false);
    expect(sortKeyRange(undefined, undefined)).toEqual(['1970-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z~']);
  });

  it('lists every symbol in event-time order, symbols in order at the same time, as the records were written', async () => {
    const all = await query.list({});
    expect(all.map((r) => `${r.symbol} ${r.event_time.slice(11, 16)}`)).toEqual(['AAPL 14:01', 'KO 14:03', 'MSFT 14:03', 'AAPL 14:05', 'AAPL 14:09']);
    expect(all[0]).toEqual(alertRecord(stored[1]!, 'test'));
  });

  it('narrows by symbol, time range, type and count', async () => {
    const at = (minute: number) => Date.UTC(2026, 10, 20, 14, minute);
    expect((await query.list({ symbol: 'AAPL' })).map((r) => r.event_time.slice(11, 16))).toEqual(['14:01', '14:05', '14:09']);
    expect((await query.list({ symbol: 'AAPL', from: at(2), to: at(5) })).map((r) => r.event_time.slice(11, 16))).toEqual(['14:05']);
    expect((await query.list({ symbol: 'AAPL', type: 'LOW' })).map((r) => r.alert_type)).toEqual(['LOW']);
    expect((await query.list({ type: 'LOW' })).map((r) => r.symbol)).toEqual(['AAPL', 'KO']);
    expect((await query.list({ symbol: 'AAPL', limit: 2 })).map((r) => r.event_time.slice(11, 16))).toEqual(['14:01', '14:05']);
    expect((await query.list({ limit: 1, from: at(3) })).map((r) => r.symbol)).toEqual(['KO']);
    expect(await query.list({ symbol: 'NONE' })).toEqual([]);
  });
});

describe('DynamoAlertQuery across pages', () => {
  /** A table that answers two items a page, in the order given, and counts the pages it served. */
  function pagedTable(records: readonly ReturnType<typeof alertRecord>[]) {
    const requests: { kind: string; start: unknown }[] = [];
    const documents = {
      send: async (command: { constructor: { name: string }; input: { ExclusiveStartKey?: { page: number } } }) => {
        const page = command.input.ExclusiveStartKey?.page ?? 0;
        requests.push({ kind: command.constructor.name, start: command.input.ExclusiveStartKey });
        const next = page + 1;
        return { Items: records.slice(page * 2, next * 2), LastEvaluatedKey: next * 2 < records.length ? { page: next } : undefined };
      },
    };
    return { query: new DynamoAlertQuery(documents as never, 'market-alerts-test'), requests };
  }
  const records = [1, 2, 3, 4, 5, 6, 7].map((minute) => alertRecord(alert('AAPL', minute), 'test'));

  it("stops reading one symbol's pages once it has the count asked for: they come in event-time order", async () => {
    const { query, requests } = pagedTable(records);
    expect((await query.list({ symbol: 'AAPL', limit: 3 })).map((r) => r.event_time.slice(11, 16))).toEqual(['14:01', '14:02', '14:03']);
    expect(requests).toEqual([
      { kind: 'QueryCommand', start: undefined },
      { kind: 'QueryCommand', start: { page: 1 } },
    ]);
  });

  it('reads every page of a symbol without a count, and of a scan even with one (a scan is not in event-time order)', async () => {
    const all = pagedTable(records);
    expect(await all.query.list({ symbol: 'AAPL' })).toHaveLength(7);
    expect(all.requests).toHaveLength(4);
    const scan = pagedTable([...records].reverse());
    expect((await scan.query.list({ limit: 2 })).map((r) => r.event_time.slice(11, 16))).toEqual(['14:01', '14:02']);
    expect(scan.requests.map((r) => r.kind)).toEqual(['ScanCommand', 'ScanCommand', 'ScanCommand', 'ScanCommand']);
  });
});
