import { DynamoAlertQuery } from '../../adapters/aws/alert-query.js';
import type { AlertQuery } from '../../app/ports.js';
import { symbolSchema } from '../../domain/index.js';
import { UserError } from '../../shared/user-error.js';
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

/** Alerts of one symbol (a Query on the sort key range) or of all symbols (a Scan with a filter). */
export async function alertsCommand(options: AlertsOptions): Promise<void> {
  if (options.symbol !== undefined && !symbolSchema.safeParse(options.symbol).success) {
    throw new UserError(`symbol "${options.symbol}" is not valid: use uppercase, e.g. AAPL, BRK.B`);
  }
  if (options.from !== undefined && options.to !== undefined && options.from > options.to) throw new UserError('--from must not be after --to');
  const target = await resolveTarget(options);
  const tables = await openTables(target, ['alerts']);
  try {
    const query: AlertQuery = new DynamoAlertQuery(tables.documents, tableName(target, 'alerts'));
    const items = await query.list(options);
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
