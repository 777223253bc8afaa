/**
 * The `market-data` command: its options, help and exit codes. Each subcommand loads its implementation when it
 * runs, so `--help` starts fast; every command writes to the streams it is given.
 */
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INPUT_FORMATS } from '../app/sessions.js';
import { DEFAULTS, TRIGGER_MODES } from '../resources/index.js';
import { PROJECT_ROOT } from '../shared/project-root.js';
import { dateTime, finiteNumber, localOptions, oneOf, positiveInteger, positiveNumber, targetOptions } from './common.js';
import { processIO, type CommandIO } from './io.js';
import { EXIT_CODES, printFailure, type ExitCode } from './process-exit.js';

const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };

/** Examples shown at the end of a command's help. */
const examples = (...lines: string[]) => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;

/**
 * Run `market-data` with these arguments (as process.argv has them: node and the script first) and return its exit
 * code. Output, help and errors go to `io`; nothing here touches the process's own streams or exit code.
 */
export async function runCli(argv: readonly string[], io: CommandIO = processIO()): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT_CODES.ok;
  /** A command's action: its exit code, or on failure one actionable line on stderr and EXIT_CODES.failed. */
  const action =
    <A extends unknown[]>(run: (...args: A) => Promise<ExitCode | void>) =>
    async (...args: A): Promise<void> => {
      try {
        exitCode = (await run(...args)) ?? EXIT_CODES.ok;
      } catch (error) {
        printFailure(error, io.stderr);
        exitCode = EXIT_CODES.failed;
      }
    };

  const program = new Command('market-data')
    .description(
      'Market data pipeline tools. Every command runs against the embedded store (.local-data/) unless given a target:\n' +
        '--aws (standard AWS SDK configuration and ENVIRONMENT_SUFFIX), --outputs cfn-outputs/flat-outputs.json, or --endpoint <url>.',
    )
    .version(version, '-V, --version', 'print the version')
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false })
    // Usage errors exit with EXIT_CODES.usage, help and --version with 0 (see the catch at the end).
    .exitOverride()
    .addHelpText(
      'after',
      examples(
        'npm start',
        'market-data replay day1.jsonl day2.csv --strict',
        'market-data alerts AAPL --from 2026-11-20',
        'market-data rules set AAPL --above 152',
      ) +
        '\nExit codes: 0 done; 1 failed (one line on stderr says why; MARKET_DATA_DEBUG=1 adds the stack trace); 2 wrong usage;\n' +
        '3 done, but messages were dead-lettered, skipped, late or not sent (replay --strict, publish); 130 interrupted; 141 output pipe closed.\n' +
        'Colour only on a terminal; NO_COLOR=1 turns it off.\n',
    );

  const formatOption = () =>
    new Option('--format <format>', 'input format (default: from the extension; .csv is CSV)').argParser(oneOf(INPUT_FORMATS));
  const demoOption = () =>
    new Option('--demo', "the demo run of npm start (kept apart from what replay accumulates) instead of the environment's data");

  localOptions(
    program.command('demo').description("replay the bundled sample session as a fresh demo run with the environment's rules (what npm start does)"),
  )
    .option('--json', 'print the summary as JSON')
    .option('-q, --quiet', 'leave out the alert lines')
    .option('--verbose', "show the handlers' structured logs and metrics")
    .addHelpText('after', examples('npm start', 'market-data demo --env qa', 'market-data alerts --demo'))
    .action(action(async (options) => (await import('./commands/demo.js')).demoCommand(options, io)));

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
    .action(action(async (files: string[], options) => (await import('./commands/replay.js')).replayCommand(files, options, io)));

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
      .option(
        '--sweep <setting>',
        'evaluate many settings in one pass: above=148:156:1 (from:to:step) or below=45,48,50; repeat for both',
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
  ).action(action(async (files: string[], options) => (await import('./commands/backtest.js')).backtestCommand(files, options, io)));

  program
    .command('generate')
    .description('write seeded synthetic ticks (geometric Brownian motion per symbol) to a file, streaming; the same options give the same file')
    .requiredOption('-o, --out <file>', 'output file (.csv for CSV, anything else JSONL)')
    .option('-n, --ticks <n>', 'number of ticks', positiveInteger, 10_000)
    .option('--symbols <list>', 'comma-separated symbols (default: AAPL,MSFT,NVDA,TSLA,F,INTC,KO,XOM, priced near the thresholds)')
    .option('--seed <n>', 'random seed: the same seed gives the same file', positiveInteger, 1)
    .option('--start <time>', 'event time of the first tick, ISO-8601 (default: 2026-01-05T14:30:00Z)', dateTime)
    .option('--interval <ms>', 'milliseconds between consecutive ticks', positiveInteger, 1000)
    .option('--volatility <sigma>', 'annualised volatility', positiveNumber, 0.8)
    .option('--drift <mu>', 'annualised drift', finiteNumber, 0)
    .addOption(new Option('--format <format>', 'output format (default: from the extension)').argParser(oneOf(INPUT_FORMATS)))
    .option('--json', 'print what was written as JSON')
    .addHelpText(
      'after',
      examples(
        'market-data generate -o ticks.jsonl',
        'market-data generate -n 1000000 --seed 7 -o big.csv',
        'market-data generate --symbols AAPL,MSFT --start 2026-11-20T14:30:00Z -o two.jsonl',
      ),
    )
    .action(action(async (options) => (await import('./commands/generate.js')).generateCommand(options, io)));

  targetOptions(
    program
      .command('alerts')
      .description('list alerts, by symbol and event-time range')
      .argument('[symbol]', 'one symbol (a Query); all symbols when left out (a Scan)')
      .option('--from <time>', 'earliest event time, ISO-8601 (years 1970-9999)', dateTime)
      .option('--to <time>', 'latest event time, ISO-8601 (years 1970-9999)', dateTime)
      .addOption(new Option('--type <type>', 'only HIGH or LOW alerts').argParser(oneOf(['HIGH', 'LOW'] as const)))
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
    .action(
      action(async (symbol: string | undefined, options) =>
        (await import('./commands/alerts.js')).alertsCommand({ ...options, ...(symbol && { symbol }) }, io),
      ),
    );

  const rules = program
    .command('rules')
    .description('per-symbol alert thresholds and trigger mode (read by the next batch: no restart needed)')
    .addHelpText('after', examples('market-data rules list', 'market-data rules set AAPL --above 152', 'market-data rules delete AAPL'));
  targetOptions(
    rules.command('list').description('show every symbol with a rule or engine state').addOption(demoOption()).option('--json', 'print as JSON'),
  )
    .addHelpText('after', examples('market-data rules list', 'market-data rules list --json', 'market-data rules list --aws --env prod'))
    .action(action(async (options) => (await import('./commands/rules.js')).rulesListCommand(options, io)));
  targetOptions(
    rules
      .command('set')
      .description("set some of a symbol's rule: the others keep their value (or the default)")
      .argument('<symbol>')
      .option('--above <price>', 'HIGH when the price is above this', positiveNumber)
      .option('--below <price>', 'LOW when the price is below this', positiveNumber)
      .addOption(
        new Option('--mode <mode>', 'cross: alert on entering HIGH or LOW; every: alert on every tick there').argParser(oneOf(TRIGGER_MODES)),
      )
      .option('--json', 'print the result as JSON'),
  )
    .addHelpText('after', examples('market-data rules set AAPL --above 152', 'market-data rules set KO --above 62 --below 40 --mode every'))
    .action(
      action(async (symbol: string, options) =>
        (await import('./commands/rules.js')).rulesSetCommand(
          symbol,
          { above: options.above, below: options.below, mode: options.mode },
          options,
          io,
        ),
      ),
    );
  targetOptions(
    rules
      .command('delete')
      .description("remove a symbol's override (back to the default rule; its engine state is kept)")
      .argument('<symbol>')
      .option('--json', 'print the result as JSON'),
  )
    .addHelpText('after', examples('market-data rules delete AAPL'))
    .action(action(async (symbol: string, options) => (await import('./commands/rules.js')).rulesDeleteCommand(symbol, options, io)));

  targetOptions(
    program
      .command('publish')
      .description('send a file to a deployed system: ticks to the queue (SendMessageBatch), events to the bus (PutEvents), 10 per call')
      .argument('<file>', 'JSONL or CSV, as for replay')
      .option('--queue-url <url>', "queue URL (default: the outputs file, or the environment's queue by name)")
      .option('--bus-name <name>', "event bus name (default: the outputs file, or the environment's bus)")
      .addOption(formatOption())
      .option('--json', 'print the result as JSON'),
  )
    .addHelpText(
      'after',
      examples(
        'market-data publish ticks.jsonl --outputs cfn-outputs/flat-outputs.json',
        'market-data publish ticks.csv --aws --env prod',
        'market-data publish ticks.jsonl --endpoint http://127.0.0.1:4566',
      ),
    )
    .action(action(async (file: string, options) => (await import('./commands/publish.js')).publishCommand(file, options, io)));

  const dlq = program
    .command('dlq')
    .description('dead-letter queues: messages that failed their maximum receives, events that failed their retries')
    .addHelpText('after', examples('market-data dlq list', 'market-data dlq redrive'));
  const queueOption = () =>
    new Option('--queue <queue>', 'ticks (market-data-dlq), events (market-events-dlq) or all')
      .argParser(oneOf(['ticks', 'events', 'all'] as const))
      .default('all');
  targetOptions(
    dlq
      .command('list')
      .description('show dead letters with the reason they failed')
      .addOption(queueOption())
      .option('--limit <n>', 'at most this many per queue', positiveInteger, 100)
      .addOption(demoOption())
      .option('--json', 'print as JSON'),
  )
    .addHelpText(
      'after',
      examples(
        'market-data dlq list',
        'market-data dlq list --queue ticks --limit 5',
        'market-data dlq list --demo',
        'market-data dlq list --outputs cfn-outputs/flat-outputs.json',
      ),
    )
    .action(action(async (options) => (await import('./commands/dlq.js')).dlqListCommand(options, io)));
  targetOptions(
    dlq
      .command('redrive')
      .description(
        'put dead letters back through the pipeline, as SQS redrives them (a tick gets a new message id and sent time); those that fail again return to their queue',
      )
      .addOption(queueOption())
      .option('--remote-tables', 'with --aws/--outputs: run the local dead letters through the local pipeline on the deployed tables')
      .option('--json', 'print the summary as JSON')
      .option('-q, --quiet', 'leave out the alert lines')
      .option('--verbose', "show the handlers' structured logs"),
  )
    .addHelpText(
      'after',
      examples(
        'market-data dlq redrive',
        'market-data dlq redrive --queue ticks --json',
        'market-data dlq redrive --outputs cfn-outputs/flat-outputs.json',
      ),
    )
    .action(action(async (options) => (await import('./commands/dlq.js')).dlqRedriveCommand({ limit: 0, ...options }, io)));

  localOptions(
    program
      .command('reset')
      .description("delete an environment's local data (embedded store, dead letters, notifications, demo run), after saying what that is"),
  )
    .option('--keep-rules', 'keep the rule overrides; delete everything else')
    .option('-y, --yes', 'do not ask (required when standard input is not a terminal)')
    .addHelpText('after', examples('market-data reset', 'market-data reset --env qa --yes', 'market-data reset --keep-rules'))
    .action(action(async (options) => (await import('./commands/reset.js')).resetCommand(options, io)));

  try {
    // Bare `market-data`: the help, as a successful answer to "what can this do?".
    if (argv.length <= 2) program.outputHelp();
    else await program.parseAsync([...argv]);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
  }
  return exitCode;
}
