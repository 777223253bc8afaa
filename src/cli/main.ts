/**
 * The `market-data` command. Each subcommand loads its implementation when it runs, so `--help` starts fast.
 */
import { Command, Option } from 'commander';
import { DEFAULTS, TRIGGER_MODES } from '../resources/index.js';
import { INPUT_FORMATS } from '../local/input-file.js';
import { action, dateTime, finiteNumber, oneOf, positiveInteger, positiveNumber, targetOptions } from './common.js';

const program = new Command('market-data')
  .description(
    'Market data pipeline tools. Every command runs against the embedded store (.local-data/) unless given a target:\n' +
      '--aws (standard AWS SDK configuration and ENVIRONMENT_SUFFIX), --outputs cfn-outputs/flat-outputs.json, or --endpoint <url>.',
  )
  .showHelpAfterError('(run with --help for usage)')
  .configureHelp({ sortSubcommands: false });

const formatOption = () => new Option('--format <format>', 'input format (default: from the extension; .csv is CSV)').argParser(oneOf(INPUT_FORMATS));

targetOptions(
  program
    .command('replay')
    .description('run JSONL or CSV ticks (and bus events) through the local pipeline and print alerts and a summary')
    .argument('<files...>', 'JSONL (one tick or bus event per line) or CSV (header: symbol,price[,timestamp,volume,exchange,bid,ask])')
    .addOption(formatOption())
    .option('--json', 'print the summary as JSON (alert lines are left out; problems go to stderr)')
    .option('-q, --quiet', 'leave out the alert lines (they are still in notifications.jsonl)')
    .option('--progress', 'show a progress bar even when stderr is not a terminal')
    .option('--no-progress', 'never show a progress bar')
    .option('--concurrency <n>', `batches in flight (default ${DEFAULTS.dataProcessor.reservedConcurrency}, the function's reserved concurrency)`, positiveInteger)
    .option('--verbose', "show the handlers' structured logs and metrics"),
).action(action(async (files: string[], options) => (await import('./commands/replay.js')).replayCommand(files, options)));

targetOptions(
  program
    .command('backtest')
    .description('what-if analysis of alert rules on history files: the deployed validation and alert engine in memory, nothing written to any store')
    .argument('<files...>', 'JSONL or CSV, as for replay; a message without a timestamp is timed 1 ms after the record before it (file order)')
    .addOption(formatOption())
    .option('--rules <file>', 'per-symbol rules, in the alert-rules table\'s shape: [{"symbol":"AAPL","above":152,"below":50,"mode":"cross"}, …]')
    .option('--rules-from-store', 'the rules the target applies now: the embedded store, or --aws/--outputs/--endpoint')
    .option('--above <price>', 'set above for every symbol (a quick what-if on top of the rules)', positiveNumber)
    .option('--below <price>', 'set below for every symbol', positiveNumber)
    .addOption(new Option('--mode <mode>', 'set the trigger mode for every symbol').argParser(oneOf(TRIGGER_MODES)))
    .option('--sweep <setting>', 'evaluate many settings in one pass: above=148:156:1 (from:to:step) or below=45,48,50; repeat for both', (v: string, all: string[] = []) => [...all, v])
    .option('--json', 'print the result as JSON (every alert, per-symbol figures, problems)')
    .option('--report <file>', 'write a self-contained HTML report: charts with thresholds and alert markers, tables per symbol')
    .option('--chart <symbols>', 'symbols the report charts, e.g. AAPL,MSFT (default: the first 40 in the files)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ market-data backtest week.jsonl --above 152\n  $ market-data backtest week.jsonl --rules rules.json --report report.html\n' +
        '  $ market-data backtest week.jsonl --rules-from-store --sweep above=148:156:1 --sweep below=45,50\n' +
        '\nExit codes: 0 the backtest ran (invalid lines are reported, not errors); 1 it could not run; 3 the files held no valid tick.',
    ),
).action(action(async (files: string[], options) => (await import('./commands/backtest.js')).backtestCommand(files, options)));

program
  .command('generate')
  .description('write seeded synthetic ticks (geometric Brownian motion per symbol) to a file, streaming')
  .requiredOption('-o, --out <file>', 'output file (.csv for CSV, anything else JSONL)')
  .option('-n, --ticks <n>', 'number of ticks', positiveInteger, 10_000)
  .option('--symbols <list>', 'comma-separated symbols (default: AAPL,MSFT,NVDA,TSLA,F,INTC,KO,XOM, priced near the thresholds)')
  .option('--seed <n>', 'random seed: the same seed gives the same file', positiveInteger, 1)
  .option('--start <time>', 'event time of the first tick, ISO-8601 (default: so that the last tick is a minute ago)', dateTime)
  .option('--interval <ms>', 'milliseconds between consecutive ticks', positiveInteger, 1000)
  .option('--volatility <sigma>', 'annualised volatility', positiveNumber, 0.8)
  .option('--drift <mu>', 'annualised drift', finiteNumber, 0)
  .addOption(new Option('--format <format>', 'output format (default: from the extension)').argParser(oneOf(INPUT_FORMATS)))
  .option('--json', 'print what was written as JSON')
  .action(action(async (options) => (await import('./commands/generate.js')).generateCommand(options)));

targetOptions(
  program
    .command('alerts')
    .description('list alerts, by symbol and event-time range')
    .argument('[symbol]', 'one symbol (a Query); all symbols when left out (a Scan)')
    .option('--from <time>', 'earliest event time, ISO-8601', dateTime)
    .option('--to <time>', 'latest event time, ISO-8601', dateTime)
    .addOption(new Option('--type <type>', 'only HIGH or LOW alerts').argParser(oneOf(['HIGH', 'LOW'] as const)))
    .option('--limit <n>', 'at most this many alerts', positiveInteger)
    .option('--json', 'print the alert items as JSON'),
).action(action(async (symbol: string | undefined, options) => (await import('./commands/alerts.js')).alertsCommand({ ...options, ...(symbol && { symbol }) })));

const rules = program.command('rules').description("per-symbol alert thresholds and trigger mode (read by the next batch: no restart needed)");
targetOptions(rules.command('list').description('show every symbol with a rule or engine state').option('--json', 'print as JSON')).action(
  action(async (options) => (await import('./commands/rules.js')).rulesListCommand(options)),
);
targetOptions(
  rules
    .command('set')
    .description('set some of a symbol\'s rule: the others keep their value (or the default)')
    .argument('<symbol>')
    .option('--above <price>', 'HIGH when the price is above this', positiveNumber)
    .option('--below <price>', 'LOW when the price is below this', positiveNumber)
    .addOption(new Option('--mode <mode>', 'cross: alert on entering HIGH or LOW; every: alert on every tick there').argParser(oneOf(TRIGGER_MODES)))
    .option('--json', 'print the result as JSON'),
).action(
  action(async (symbol: string, options) =>
    (await import('./commands/rules.js')).rulesSetCommand(symbol, { above: options.above, below: options.below, mode: options.mode }, options),
  ),
);
targetOptions(
  rules.command('delete').description("remove a symbol's override (back to the default rule; its engine state is kept)").argument('<symbol>').option('--json', 'print the result as JSON'),
).action(action(async (symbol: string, options) => (await import('./commands/rules.js')).rulesDeleteCommand(symbol, options)));

targetOptions(
  program
    .command('publish')
    .description('send a file to a deployed system: ticks to the queue (SendMessageBatch), events to the bus (PutEvents), 10 per call')
    .argument('<file>', 'JSONL or CSV, as for replay')
    .option('--queue-url <url>', 'queue URL (default: the outputs file, or the environment\'s queue by name)')
    .option('--bus-name <name>', 'event bus name (default: the outputs file, or the environment\'s bus)')
    .addOption(formatOption())
    .option('--json', 'print the result as JSON'),
).action(action(async (file: string, options) => (await import('./commands/publish.js')).publishCommand(file, options)));

const dlq = program.command('dlq').description('dead-letter queues: messages that failed their maximum receives, events that failed their retries');
const queueOption = () =>
  new Option('--queue <queue>', 'ticks (market-data-dlq), events (market-events-dlq) or all').argParser(oneOf(['ticks', 'events', 'all'] as const)).default('all');
targetOptions(
  dlq.command('list').description('show dead letters with the reason they failed').addOption(queueOption()).option('--limit <n>', 'at most this many per queue', positiveInteger, 100).option('--json', 'print as JSON'),
).action(action(async (options) => (await import('./commands/dlq.js')).dlqListCommand(options)));
targetOptions(
  dlq
    .command('redrive')
    .description('put dead letters back through the pipeline; those that fail again return to their queue')
    .addOption(queueOption())
    .option('--remote-tables', 'with --aws/--outputs: run the local dead letters through the local pipeline on the deployed tables')
    .option('--json', 'print the summary as JSON')
    .option('-q, --quiet', 'leave out the alert lines')
    .option('--verbose', "show the handlers' structured logs"),
).action(action(async (options) => (await import('./commands/dlq.js')).dlqRedriveCommand({ limit: 0, ...options })));

await program.parseAsync(process.argv);
