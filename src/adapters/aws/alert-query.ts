import { QueryCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AlertType } from '../../domain/index.js';
import { TABLES } from '../../resources/index.js';
import { LATEST_TIME } from '../../shared/time.js';
import type { AlertRecord } from '../alert-record.js';

const { partitionKey, sortKey } = TABLES.alerts;
/** The attribute the type filter compares (see AlertRecord). */
const ALERT_TYPE = 'alert_type' satisfies keyof AlertRecord;

/**
 * Sort-key bounds for an event-time range. The sort key is `<event time ISO>#<alert id>`: every key of an instant
 * sorts after the bare ISO string and before it followed by '~' (above '#' and every hex digit).
 */
export function sortKeyRange(from: number | undefined, to: number | undefined): [string, string] {
  return [new Date(from ?? 0).toISOString(), `${new Date(to ?? LATEST_TIME).toISOString()}~`];
}

/**
 * Alerts in market-alerts, read back: one symbol's with a Query on the sort-key range, every symbol's with a Scan
 * and a filter. The items are the records DynamoAlertStore wrote (AlertRecord), returned as they are stored.
 */
export class DynamoAlertQuery {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async list(filter: {
    readonly symbol?: string;
    readonly from?: number;
    readonly to?: number;
    readonly type?: AlertType;
    readonly limit?: number;
  }): Promise<AlertRecord[]> {
    const [lower, upper] = sortKeyRange(filter.from, filter.to);
    const names = { '#sk': sortKey.name, ...(filter.type && { '#type': ALERT_TYPE }) };
    const values = { ':lower': lower, ':upper': upper, ...(filter.type && { ':type': filter.type }) };
    const items: AlertRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = filter.symbol
        ? await this.documents.send(
            new QueryCommand({
              TableName: this.tableName,
              KeyConditionExpression: '#pk = :symbol AND #sk BETWEEN :lower AND :upper',
              ExpressionAttributeNames: { ...names, '#pk': partitionKey.name },
              ExpressionAttributeValues: { ...values, ':symbol': filter.symbol },
              ...(filter.type && { FilterExpression: '#type = :type' }),
              ExclusiveStartKey: startKey,
            }),
          )
        : await this.documents.send(
            new ScanCommand({
              TableName: this.tableName,
              FilterExpression: `#sk BETWEEN :lower AND :upper${filter.type ? ' AND #type = :type' : ''}`,
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
              ExclusiveStartKey: startKey,
            }),
          );
      items.push(...((page.Items ?? []) as AlertRecord[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey && (filter.symbol === undefined || filter.limit === undefined || items.length < filter.limit));
    // A scan returns partitions in hash order; list alerts in event-time order (symbol order for equal times).
    // (Items written by hand may lack attributes: compared as text whatever they hold.)
    items.sort((a, b) => String(a.timestamp).localeCompare(String(b.timestamp)) || String(a.symbol).localeCompare(String(b.symbol)));
    return filter.limit === undefined ? items : items.slice(0, filter.limit);
  }
}
