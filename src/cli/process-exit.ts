import { describeFailure } from './failures.js';
import { paint, visible } from './terminal.js';

/** Exit codes, as documented in the README (CLI reference, "Exit codes"). */
export const EXIT_CODES = {
  ok: 0,
  /** The command failed: one line on stderr says why. */
  failed: 1,
  /** A wrong option or argument (usage is printed). */
  usage: 2,
  /**
   * The command ran to the end, but some messages were dead-lettered, skipped or not sent (replay --strict, publish),
   * or there was nothing to evaluate (backtest: the files held no valid tick). 2 is kept for wrong usage.
   */
  rejected: 3,
  /** Stopped by Ctrl-C (SIGINT) or SIGTERM, as a shell reports a process killed by SIGINT. */
  interrupted: 130,
  /** The reader of the output went away (`market-data dlq list | head`), as for a process killed by SIGPIPE. */
  pipeClosed: 141,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** MARKET_DATA_DEBUG=1 adds the stack trace to a failure (for developers); users get one line. */
export const debugging = (env: NodeJS.ProcessEnv = process.env): boolean => Boolean(env.MARKET_DATA_DEBUG) && env.MARKET_DATA_DEBUG !== '0';

/** Print a failure as one line on stderr (`error: …`), control characters made visible; the stack only when debugging. */
export function printFailure(error: unknown, stream: NodeJS.WritableStream = process.stderr): void {
  stream.write(`${paint('red', 'error:', stream)} ${visible(describeFailure(error))}\n`);
  if (debugging() && error instanceof Error && error.stack) stream.write(`${error.stack}\n`);
}

let installed = false;

/**
 * Process-wide behaviour of the command line tools: a closed output pipe ends the process quietly, an interrupt ends
 * it with the conventional code (the 'exit' handlers, such as the store lock's, still run), and an error nothing
 * else caught is still one line rather than a stack trace.
 */
export function installProcessHandlers(): void {
  if (installed) return;
  installed = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(EXIT_CODES.pipeClosed);
      // The other stream may still work; if it does not, the exit code says it all.
      if (stream !== process.stderr) printFailure(error);
      process.exit(EXIT_CODES.failed);
    });
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(EXIT_CODES.interrupted));
  const fatal = (error: unknown) => {
    printFailure(error);
    process.exit(EXIT_CODES.failed);
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
}
