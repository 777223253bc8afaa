import { QueryCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { symbolSchema } from '../../domain/index.js';
import { UserError } from '../../shared/user-error.js';
import { TABLES } from '../../resources/index.js';
import { LATEST_TIME } from '../common.js';
import { listedAlertLine } from '../alert-lines.js';
import { safeJson } from '../terminal.js';
import { describeTarget, openTables, resolveTarget, tableName, type TargetOptions } from '../target.js';

export interface AlertsOptions extends TargetOptions {
  readonly symbol?: string;
  readonly from?: number;
  readonly to?: number;
  readonly type?: 'HIGH' | 'LOW';
  readonly limit?: number;
  readonly json?: boolean;
}

type Item = Record<string, unknown>;

const { partitionKey, sortKey } = TABLES.alerts;

/**
 * Sort-key bounds for an event-time range. The sort key is `<event time ISO>#<alert id>`: every key of an instant
 * sorts after the bare ISO string and before it followed by '~' (above '#' and every hex digit).
 */
export function sortKeyRange(from: number | undefined, to: number | undefined): [string, string] {
  return [new Date(from ?? 0).toISOString(), `${new Date(to ?? LATEST_TIME).toISOString()}~`];
}

async function queryAlerts(documents: DynamoDBDocumentClient, table: string, options: AlertsOptions): Promise<Item[]> {
  const [lower, upper] = sortKeyRange(options.from, options.to);
  const names = { '#sk': sortKey.name, ...(options.type && { '#type': 'alert_type' }) };
  const values = { ':lower': lower, ':upper': upper, ...(options.type && { ':type': options.type }) };
  const filter = options.type ? { FilterExpression: '#type = :type' } : {};
  const items: Item[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = options.symbol
      ? await documents.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: '#pk = :symbol AND #sk BETWEEN :lower AND :upper',
            ExpressionAttributeNames: { ...names, '#pk': partitionKey.name },
            ExpressionAttributeValues: { ...values, ':symbol': options.symbol },
            ...filter,
            ExclusiveStartKey: startKey,
          }),
        )
      : await documents.send(
          new ScanCommand({
            TableName: table,
            FilterExpression: `#sk BETWEEN :lower AND :upper${options.type ? ' AND #type = :type' : ''}`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ExclusiveStartKey: startKey,
          }),
        );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey && (options.symbol === undefined || options.limit === undefined || items.length < options.limit));
  // A scan returns partitions in hash order; show alerts in event-time order (symbol order for equal times).
  items.sort((a, b) => String(a[sortKey.name]).localeCompare(String(b[sortKey.name])) || String(a.symbol).localeCompare(String(b.symbol)));
  return options.limit === undefined ? items : items.slice(0, options.limit);
}

/** Alerts of one symbol (a Query on the sort key range) or of all symbols (a Scan with a filter). */
export async function alertsCommand(options: AlertsOptions): Promise<void> {
  if (options.symbol !== undefined && !symbolSchema.safeParse(options.symbol).success) {
    throw new UserError(`symbol "${options.symbol}" is not valid: use uppercase, e.g. AAPL, BRK.B`);
  }
  if (options.from !== undefined && options.to !== undefined && options.from > options.to) throw new UserError('--from must not be after --to');
  const target = await resolveTarget(options);
  const tables = await openTables(target, ['alerts']);
  try {
    const items = await queryAlerts(tables.documents, tableName(target, 'alerts'), options);
    if (options.json) {
      process.stdout.write(`${safeJson(items)}\n`);
      return;
    }
    if (items.length === 0) {
      const hint = target.kind === 'local' && target.session === 'main' ? '; npm start keeps its alerts apart: market-data alerts --demo' : '';
      process.stdout.write(`no alerts${options.symbol ? ` for ${options.symbol}` : ''} in ${describeTarget(target)}${hint}\n`);
      return;
    }
    for (const item of items) process.stdout.write(`${listedAlertLine(item)}\n`);
    process.stdout.write(`${items.length} alert${items.length === 1 ? '' : 's'} in ${describeTarget(target)}\n`);
  } finally {
    await tables.close();
  }
}
