import type { Command } from 'commander';
import type { TargetOptions } from '../../app/target.js';
import type { InputFormat } from '../../resources/input-formats.js';
import { DEFAULTS } from '../../resources/index.js';
import { examples, formatOption, positiveInteger, targetOptions, type CommandContext } from '../common.js';
import type { CommandIO } from '../io.js';
import { EXIT_CODES, type ExitCode } from '../process-exit.js';

interface ReplayCommandOptions extends TargetOptions {
  readonly format?: InputFormat;
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly progress?: boolean;
  readonly concurrency?: number;
  readonly verbose?: boolean;
  /** Clear the environment's alerts, state, dead letters and notifications first (rules kept). */
  readonly fresh?: boolean;
  /** Exit with EXIT_CODES.rejected when anything was dead-lettered, skipped or matched no rule, or a tick was late. */
  readonly strict?: boolean;
}

export function replayCommand(program: Command, { io, action }: CommandContext): void {
  targetOptions(
    program
      .command('replay')
      .description('run JSONL or CSV ticks (and bus events) through the local pipeline and print alerts and a summary; results accumulate')
      .argument('<files...>', 'JSONL (one tick or bus event per line) or CSV (RFC 4180; header: symbol,price[,timestamp,volume,exchange,bid,ask])')
      .addOption(formatOption())
      .option('--fresh', 'start from a clean environment: delete its alerts, symbol state, dead letters and notifications first (rules are kept)')
      .option(
        '--strict',
        `exit with ${EXIT_CODES.rejected} when any message was dead-lettered, skipped or matched no rule, or a tick came beyond the lateness horizon`,
      )
      .option('--json', 'print the summary as JSON (alert lines are left out; problems go to stderr)')
      .option('-q, --quiet', 'leave out the alert lines (they are still in notifications.jsonl)')
      .option('--progress', 'show a progress bar even when stderr is not a terminal')
      .option('--no-progress', 'never show a progress bar')
      .option(
        '--concurrency <n>',
        `batches in flight (default ${DEFAULTS.dataProcessor.reservedConcurrency}, the function's reserved concurrency)`,
        positiveInteger,
      )
      .option('--verbose', "show the handlers' structured logs and metrics"),
  )
    .addHelpText(
      'after',
      examples(
        'market-data replay ticks.jsonl',
        'market-data replay day1.csv day2.csv --fresh --strict',
        'market-data replay big.jsonl --json -q > summary.json',
        'market-data replay ticks.jsonl --outputs cfn-outputs/flat-outputs.json',
      ),
    )
    .action(action((files: string[], options: ReplayCommandOptions) => replay(files, options, io)));
}

/** Files through the local pipeline (on the embedded store, or on a deployed environment's tables). */
async function replay(files: string[], options: ReplayCommandOptions, io: CommandIO): Promise<ExitCode | void> {
  const [{ lateCount, rejectedCount, replayFiles }, { resolveTarget }, { reportRun }] = await Promise.all([
    import('../../app/sessions.js'),
    import('../../app/target.js'),
    import('../run-report.js'),
  ]);
  const target = await resolveTarget(options);
  const request = {
    files,
    ...(options.format !== undefined && { format: options.format }),
    ...(options.dataDir !== undefined && { dataDir: options.dataDir }),
    ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
    ...(options.verbose !== undefined && { verbose: options.verbose }),
    ...(options.fresh && { fresh: true }),
  };
  const report = {
    ...(options.json !== undefined && { json: options.json }),
    ...(options.quiet !== undefined && { quiet: options.quiet }),
    ...(options.progress !== undefined && { progress: options.progress }),
  };
  const summary = await replayFiles(target, request, (prepared) => reportRun(prepared, report, io));
  if (options.strict && rejectedCount(summary) + lateCount(summary) > 0) return EXIT_CODES.rejected;
}
