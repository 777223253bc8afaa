import { Option, type Command } from 'commander';
import type { TargetOptions } from '../../app/target.js';
import { ALERT_TYPES, type AlertType } from '../../domain/index.js';
import { plural } from '../../shared/text.js';
import { UserError } from '../../shared/user-error.js';
import { listedAlertLine } from '../alert-lines.js';
import { checkSymbol, dateTime, demoOption, examples, oneOf, positiveInteger, targetOptions, type CommandContext } from '../common.js';
import type { CommandIO } from '../io.js';
import { safeJson } from '../terminal.js';

interface AlertsOptions extends TargetOptions {
  readonly symbol?: string;
  readonly from?: number;
  readonly to?: number;
  readonly type?: AlertType;
  readonly limit?: number;
  readonly json?: boolean;
}

export function alertsCommand(program: Command, { io, action }: CommandContext): void {
  targetOptions(
    program
      .command('alerts')
      .description('list alerts, by symbol and event-time range')
      .argument('[symbol]', 'one symbol (a Query); all symbols when left out (a Scan)')
      .option('--from <time>', 'earliest event time, ISO-8601 (years 1970-9999)', dateTime)
      .option('--to <time>', 'latest event time, ISO-8601 (years 1970-9999)', dateTime)
      .addOption(new Option('--type <type>', 'only HIGH, LOW or INSIDE (channel) alerts').argParser(oneOf(ALERT_TYPES)))
      .option('--limit <n>', 'at most this many alerts', positiveInteger)
      .addOption(demoOption())
      .option('--json', 'print the alert items as JSON'),
  )
    .addHelpText(
      'after',
      examples(
        'market-data alerts',
        'market-data alerts AAPL --from 2026-11-20 --to 2026-11-21T00:00:00Z',
        'market-data alerts --demo --type HIGH',
        'market-data alerts --outputs cfn-outputs/flat-outputs.json --limit 20',
      ),
    )
    .action(action((symbol: string | undefined, options: AlertsOptions) => alerts({ ...options, ...(symbol && { symbol }) }, io)));
}

/** Alerts of one symbol (a Query on the sort key range) or of all symbols (a Scan with a filter). */
async function alerts(options: AlertsOptions, io: CommandIO): Promise<void> {
  const [{ listAlerts }, { describeTarget, resolveTarget }] = await Promise.all([import('../../app/alerts.js'), import('../../app/target.js')]);
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
