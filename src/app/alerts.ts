import type { AlertRecord } from '../adapters/alert-record.js';
import { DynamoAlertQuery } from '../adapters/aws/alert-query.js';
import type { AlertFilter, AlertQuery } from './ports.js';
import { openTables, tableName, type Target } from './target.js';

export type { AlertRecord } from '../adapters/alert-record.js';

/** Alerts of one symbol or of all, in event-time order, as market-alerts holds them (through the alert query port). */
export async function listAlerts(target: Target, filter: AlertFilter): Promise<AlertRecord[]> {
  const tables = await openTables(target, ['alerts']);
  try {
    const query: AlertQuery = new DynamoAlertQuery(tables.documents, tableName(target, 'alerts'));
    return await query.list(filter);
  } finally {
    await tables.close();
  }
}
