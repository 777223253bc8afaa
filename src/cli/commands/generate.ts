import { Option, type Command } from 'commander';
import type { GenerateRequest } from '../../app/generate.js';
import { LIMITS, symbolSchema } from '../../domain/index.js';
import { INPUT_FORMATS } from '../../resources/input-formats.js';
import { LATEST_TIME } from '../../shared/time.js';
import { UserError } from '../../shared/user-error.js';
import { dateTime, examples, finiteNumber, oneOf, optionValue, positiveInteger, positiveNumber, symbolList, type CommandContext } from '../common.js';
import type { CommandIO } from '../io.js';
import { safeJson, visible } from '../terminal.js';

/** The request the application API takes, with `--symbols` as typed and `--json`. */
interface GenerateOptions extends Omit<GenerateRequest, 'symbols'> {
  readonly symbols?: string;
  readonly json?: boolean;
}

export function generateCommand(program: Command, { io, action }: CommandContext): void {
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
    .action(action((options: GenerateOptions) => generate(options, io)));
}

/** `--symbols AAPL,MSFT`: symbols, checked as the functions check them. */
function symbolsOption(list: string): string[] {
  const symbols = symbolList(list, '--symbols');
  for (const symbol of symbols) {
    const checked = symbolSchema.safeParse(symbol);
    if (!checked.success) throw new Error(`"${symbol}" ${checked.error.issues[0]?.message ?? 'is not a valid symbol'}`);
  }
  return symbols;
}

/** Write seeded GBM ticks to a file, streaming (memory stays flat for any count). */
async function generate(options: GenerateOptions, io: CommandIO): Promise<void> {
  const { generateFile, lastTickTime } = await import('../../app/generate.js');
  const symbols = options.symbols === undefined ? undefined : optionValue('--symbols', () => symbolsOption(options.symbols!));
  const end = lastTickTime(options);
  if (end > LATEST_TIME)
    throw new UserError(
      `the last tick would be after ${new Date(LATEST_TIME).toISOString()}: use fewer --ticks, a shorter --interval or an earlier --start`,
    );
  const result = await generateFile({
    out: options.out,
    ticks: options.ticks,
    ...(symbols && { symbols }),
    seed: options.seed,
    ...(options.start !== undefined && { start: options.start }),
    interval: options.interval,
    volatility: options.volatility,
    drift: options.drift,
    ...(options.format !== undefined && { format: options.format }),
  });
  io.stdout.write(
    options.json
      ? `${safeJson(result)}\n`
      : `wrote ${result.ticks} ticks for ${result.symbols.join(', ')} to ${visible(result.file)} (${result.format}, seed ${result.seed}, ${result.from} to ${result.to})\n`,
  );
  // The pipeline rejects event times further ahead of its clock than this.
  const latestAccepted = Date.now() + LIMITS.maxFutureSkewMs;
  if (end > latestAccepted) {
    io.stderr.write(
      `warning: ticks after ${new Date(latestAccepted).toISOString()} are in the future and the pipeline will reject them; give an earlier --start\n`,
    );
  }
}
