import { listAlerts } from '../../app/alerts.js';
import { describeTarget, resolveTarget, type TargetOptions } from '../../app/target.js';
import type { AlertType } from '../../domain/index.js';
import { plural } from '../../shared/text.js';
import { UserError } from '../../shared/user-error.js';
import { listedAlertLine } from '../alert-lines.js';
import { checkSymbol } from '../common.js';
import type { CommandIO } from '../io.js';
import { safeJson } from '../terminal.js';

export interface AlertsOptions extends TargetOptions {
  readonly symbol?: string;
  readonly from?: number;
  readonly to?: number;
  readonly type?: AlertType;
  readonly limit?: number;
  readonly json?: boolean;
}

/** Alerts of one symbol (a Query on the sort key range) or of all symbols (a Scan with a filter). */
export async function alertsCommand(options: AlertsOptions, io: CommandIO): Promise<void> {
  if (options.symbol !== undefined) checkSymbol(options.symbol);
  if (options.from !== undefined && options.to !== undefined && options.from > options.to) throw new UserError('--from must not be after --to');
  const target = await resolveTarget(options);
  const items = await listAlerts(target, options);
  if (options.json) {
    io.stdout.write(`${safeJson(items)}\n`);
    return;
  }
  if (items.length === 0) {
    const hint = target.kind === 'local' && target.session === 'main' ? '; npm start keeps its alerts apart: market-data alerts --demo' : '';
    io.stdout.write(`no alerts${options.symbol ? ` for ${options.symbol}` : ''} in ${describeTarget(target)}${hint}\n`);
    return;
  }
  for (const item of items) io.stdout.write(`${listedAlertLine(item)}\n`);
  io.stdout.write(`${plural(items.length, 'alert')} in ${describeTarget(target)}\n`);
}
