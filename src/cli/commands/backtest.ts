import { InvalidArgumentError, Option, type Command } from 'commander';
import type { TargetOptions } from '../../app/target.js';
import { symbolSchema, type TriggerMode } from '../../domain/index.js';
import type { InputFormat } from '../../resources/input-formats.js';
import { TRIGGER_MODES } from '../../resources/index.js';
import { displayPath } from '../../shared/text.js';
import { UserError } from '../../shared/user-error.js';
import { formatOption, oneOf, optionValue, positiveNumber, symbolList, targetOptions, type CommandContext } from '../common.js';
import type { CommandIO } from '../io.js';
import { EXIT_CODES, type ExitCode } from '../process-exit.js';
import { safeJson } from '../terminal.js';

interface BacktestCommandOptions extends TargetOptions {
  readonly format?: InputFormat;
  readonly rules?: string;
  readonly rulesFromStore?: boolean;
  readonly above?: number;
  readonly below?: number;
  readonly mode?: TriggerMode;
  readonly rearm?: string;
  /** Raw `--sweep` values, read by the application before anything else. */
  readonly sweep?: readonly string[];
  readonly json?: boolean;
  readonly report?: string;
  readonly chart?: string;
}

export function backtestCommand(program: Command, { io, action }: CommandContext): void {
  targetOptions(
    program
      .command('backtest')
      .description(
        'what-if analysis of alert rules on history files: the deployed validation and alert engine in memory, nothing written to any store',
      )
      .argument('<files...>', 'JSONL or CSV, as for replay; a message without a timestamp is timed 1 ms after the record before it (file order)')
      .addOption(formatOption())
      .option('--rules <file>', 'per-symbol rules, in the alert-rules table\'s shape: [{"symbol":"AAPL","above":152,"below":50,"mode":"cross"}, …]')
      .option('--rules-from-store', 'the rules the target applies now: the embedded store, or --aws/--outputs/--endpoint')
      .option('--above <price>', 'set above for every symbol (a quick what-if on top of the rules)', positiveNumber)
      .option('--below <price>', 'set below for every symbol', positiveNumber)
      .addOption(new Option('--mode <mode>', 'set the trigger mode for every symbol').argParser(oneOf(TRIGGER_MODES)))
      .option('--rearm <amount>', 'set the hysteresis for every symbol: an amount (0.5) or a share of the threshold (0.5%); 0 for none')
      .option(
        '--sweep <setting>',
        'evaluate many settings in one pass: above=148:156:1 (from:to:step), below=45,48,50 or rearm=0:1:0.25; repeat for more',
        (v: string, all: string[] = []) => [...all, v],
      )
      .option('--json', 'print the result as JSON (every alert, per-symbol figures, problems)')
      .option('--report <file>', 'write a self-contained HTML report: charts with thresholds and alert markers, tables per symbol')
      .option('--chart <symbols>', 'symbols the report charts, e.g. AAPL,MSFT (default: the first 40 in the files)')
      .addHelpText(
        'after',
        '\nExamples:\n  $ market-data backtest week.jsonl --above 152\n  $ market-data backtest week.jsonl --rules rules.json --report report.html\n' +
          '  $ market-data backtest week.jsonl --rules-from-store --sweep above=148:156:1 --sweep below=45,50\n' +
          '\nExit codes: 0 the backtest ran (invalid lines are reported, not errors); 1 it could not run; 3 the files held no valid tick.',
      ),
  ).action(action((files: string[], options: BacktestCommandOptions) => backtest(files, options, io)));
}

const TARGET_OPTIONS = ['env', 'dataDir', 'aws', 'outputs', 'endpoint', 'region'] as const;
const flag = (name: string) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** `--chart AAPL,MSFT`: symbols, checked as the functions check them. */
function chartOption(list: string): string[] {
  const symbols = symbolList(list, '--chart');
  for (const symbol of symbols)
    if (!symbolSchema.safeParse(symbol).success)
      throw new InvalidArgumentError(`"${symbol}" is not a valid symbol (use uppercase, e.g. AAPL, BRK.B)`);
  return symbols;
}

function checkCombinations(options: BacktestCommandOptions): void {
  if (options.rules && options.rulesFromStore) throw new UserError('--rules and --rules-from-store both give the rules: choose one');
  const target = TARGET_OPTIONS.filter((o) => options[o] !== undefined);
  if (target.length > 0 && !options.rulesFromStore) {
    const [are, them] = target.length === 1 ? ['is', 'it'] : ['are', 'them'];
    throw new UserError(
      `${target.map(flag).join(', ')} ${are} only for --rules-from-store (where it reads the rules): add --rules-from-store, or leave ${them} out`,
    );
  }
  if (options.report && (options.sweep?.length ?? 0) > 0) {
    throw new UserError('--report charts one rule set: leave out --sweep (or set the one you want with --above/--below)');
  }
  if (options.chart !== undefined && !options.report) throw new UserError('--chart chooses the charts of --report: add --report <file.html>');
}

/** What-if analysis of alert rules on history files: the deployed engine in memory, nothing written to any store. */
async function backtest(files: string[], options: BacktestCommandOptions, io: CommandIO): Promise<ExitCode | void> {
  checkCombinations(options);
  // Option values first: a malformed one stops the command before it reads anything.
  const chart = options.chart === undefined ? undefined : optionValue('--chart', () => chartOption(options.chart!));
  const [{ backtestFiles, backtestRules }, output] = await Promise.all([import('../../app/backtest.js'), import('../backtest/output.js')]);
  const { report } = options;
  const { ruleSets, limits } = await backtestRules({
    ...(options.rules !== undefined && { rules: options.rules }),
    ...(options.rulesFromStore && { rulesFromStore: options }),
    change: {
      ...(options.above !== undefined && { above: options.above }),
      ...(options.below !== undefined && { below: options.below }),
      ...(options.mode !== undefined && { mode: options.mode }),
      ...(options.rearm !== undefined && { rearm: options.rearm }),
    },
    sweeps: options.sweep ?? [],
  });
  const result = await backtestFiles({
    files,
    ...(options.format !== undefined && { format: options.format }),
    ruleSets,
    limits,
    // Reports are written next to nothing else: the path is checked before the run, not after it.
    ...(report && {
      chart: chart ? { symbols: chart } : {},
      beforeRun: async () => (await import('../backtest/report/index.js')).checkReportPath(report),
    }),
  });
  const sweep = ruleSets.length > 1;
  io.stdout.write(
    options.json
      ? `${safeJson(sweep ? output.sweepJson(result) : output.backtestJson(result))}\n`
      : `${sweep ? output.formatSweep(result) : output.formatBacktest(result)}\n`,
  );
  if (report) {
    await (await import('../backtest/report/index.js')).writeReport(result, report);
    (options.json ? io.stderr : io.stdout).write(`report: ${displayPath(report)}\n`);
  }
  // The run went to the end but evaluated nothing (a wrong file, most likely).
  if (result.records.ticks + result.records.eventTicks === 0) return EXIT_CODES.rejected;
}
