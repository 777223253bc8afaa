import { generateFile, lastTickTime, type GenerateRequest } from '../../app/generate.js';
import { LIMITS, symbolSchema } from '../../domain/index.js';
import { LATEST_TIME } from '../../shared/time.js';
import { UserError } from '../../shared/user-error.js';
import { optionValue, symbolList } from '../common.js';
import type { CommandIO } from '../io.js';
import { safeJson, visible } from '../terminal.js';

/** The request the application API takes, with `--symbols` as typed and `--json`. */
export interface GenerateOptions extends Omit<GenerateRequest, 'symbols'> {
  readonly symbols?: string;
  readonly json?: boolean;
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
export async function generateCommand(options: GenerateOptions, io: CommandIO): Promise<void> {
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
