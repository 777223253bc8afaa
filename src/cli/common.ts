import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEFAULT_OUTPUTS_FILE } from '../app/stack-outputs.js';
import { symbolSchema } from '../domain/index.js';
import { INPUT_FORMATS } from '../resources/input-formats.js';
import { EARLIEST_TIME, LATEST_TIME } from '../shared/time.js';
import { UserError } from '../shared/user-error.js';
import type { CommandIO } from './io.js';
import type { ExitCode } from './process-exit.js';

/**
 * What a command's definition is given: the streams it writes to, and `action`, which turns its implementation into
 * commander's action (the exit code it returns is the program's; a failure is one line on stderr and exit 1).
 */
export interface CommandContext {
  readonly io: CommandIO;
  action<A extends unknown[]>(run: (...args: A) => Promise<ExitCode | void>): (...args: A) => Promise<void>;
}

/**
 * A command's definition: it adds the command to `parent` with its arguments, options, help and action. Its
 * implementation loads the application when the command runs, so that `--help` starts fast.
 */
export type CommandDefinition = (parent: Command, context: CommandContext) => void;

/** Examples shown at the end of a command's help. */
export const examples = (...lines: string[]) => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;

/** The options that choose which environment's local data a command uses. */
export function localOptions(command: Command): Command {
  return command
    .option('--env <suffix>', 'environment suffix (default: $ENVIRONMENT_SUFFIX or dev)')
    .option('--data-dir <dir>', 'local data folder (default: $MARKET_DATA_HOME or .local-data)');
}

/** The options that choose where a command runs (the embedded store unless told otherwise). */
export function targetOptions(command: Command): Command {
  return localOptions(command)
    .option('--aws', 'use the deployed environment (standard AWS SDK configuration) instead of the embedded store')
    .option('--outputs <file>', `use the deployment described by this outputs file (e.g. ${DEFAULT_OUTPUTS_FILE}); implies --aws`)
    .option('--endpoint <url>', 'DynamoDB endpoint to use instead of the embedded store (LocalStack, a DynamoDB-compatible server)')
    .option('--region <region>', 'AWS region (default: $AWS_REGION or us-east-1)');
}

/** `--format` of the commands that read input files. */
export const formatOption = () =>
  new Option('--format <format>', 'input format (default: from the extension; .csv is CSV)').argParser(oneOf(INPUT_FORMATS));

/** `--demo` of the commands that read an environment's data. */
export const demoOption = () =>
  new Option('--demo', "the demo run of npm start (kept apart from what replay accumulates) instead of the environment's data");

export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number greater than 0');
  return n;
}

export function finiteNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('must be a number');
  return n;
}

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/i;
const DATE_HELP = 'an ISO-8601 date (2026-11-20, midnight UTC) or date-time with a time zone (2026-11-20T14:30:00Z), in the years 1970-9999';

/**
 * A date or a date-time with a time zone, as epoch ms; checked strictly (no rolled-over days like 2026-02-30, no
 * local-time guesses, nothing Date.parse would read in some other way) and limited to the years 1970-9999.
 */
export function dateTime(value: string): number {
  const m = ISO_DATE_TIME.exec(value.trim());
  if (!m) throw new InvalidArgumentError(`must be ${DATE_HELP}`);
  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '', zone = 'Z'] = m;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day) || date.getUTCFullYear() !== Number(year)) {
    throw new InvalidArgumentError(`${year}-${month}-${day} is not a day of the calendar`);
  }
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59)
    throw new InvalidArgumentError(`${hour}:${minute}:${second} is not a time of day`);
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const ms = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}${fraction.slice(0, 4)}${offset}`);
  if (!(ms >= EARLIEST_TIME && ms <= LATEST_TIME)) throw new InvalidArgumentError(`must be ${DATE_HELP}`);
  return ms;
}

export function oneOf<T extends string>(choices: readonly T[]) {
  return (value: string): T => {
    if (!(choices as readonly string[]).includes(value)) throw new InvalidArgumentError(`must be one of ${choices.join(', ')}`);
    return value as T;
  };
}

/** A symbol named on the command line, checked as the functions check them. */
export function checkSymbol(symbol: string): string {
  if (!symbolSchema.safeParse(symbol).success) throw new UserError(`symbol "${symbol}" is not valid: use uppercase, e.g. AAPL, BRK.B`);
  return symbol;
}

/** A comma-separated list of symbols (`AAPL,MSFT`), each once, in order; an empty list is refused. */
export function symbolList(list: string, option: string): string[] {
  const symbols = [
    ...new Set(
      list
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  if (symbols.length === 0) throw new InvalidArgumentError(`give at least one symbol, e.g. ${option} AAPL,MSFT`);
  return symbols;
}

/** An option's value, parsed when the command runs: a malformed one is one line naming the option. */
export function optionValue<T>(option: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UserError(`${option}: ${(error as Error).message}`);
  }
}
