import { InvalidArgumentError, type Command } from 'commander';
import { describeFailure } from '../local/failures.js';
import { DEFAULT_OUTPUTS_FILE } from './outputs.js';

/** The options that choose where a command runs (the embedded store unless told otherwise). */
export function targetOptions(command: Command): Command {
  return command
    .option('--env <suffix>', 'environment suffix (default: $ENVIRONMENT_SUFFIX or dev)')
    .option('--data-dir <dir>', 'local data folder (default: $MARKET_DATA_HOME or .local-data)')
    .option('--aws', 'use the deployed environment (standard AWS SDK configuration) instead of the embedded store')
    .option('--outputs <file>', `use the deployment described by this outputs file (e.g. ${DEFAULT_OUTPUTS_FILE}); implies --aws`)
    .option('--endpoint <url>', 'DynamoDB endpoint to use instead of the embedded store (LocalStack, a DynamoDB-compatible server)')
    .option('--region <region>', 'AWS region (default: $AWS_REGION or us-east-1)');
}

/** Run a command's action; a failure prints one actionable line and sets a non-zero exit code. */
export function action<A extends unknown[]>(run: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await run(...args);
    } catch (error) {
      process.stderr.write(`error: ${describeFailure(error)}\n`);
      if (process.env.MARKET_DATA_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
      process.exitCode = 1;
    }
  };
}

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

/** An ISO-8601 date or date-time (a date alone is midnight UTC), as epoch ms. */
export function dateTime(value: string): number {
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(ms)) throw new InvalidArgumentError('must be an ISO-8601 date or date-time, e.g. 2026-11-20T14:30:00Z');
  return ms;
}

export function oneOf<T extends string>(choices: readonly T[]) {
  return (value: string): T => {
    if (!(choices as readonly string[]).includes(value)) throw new InvalidArgumentError(`must be one of ${choices.join(', ')}`);
    return value as T;
  };
}
