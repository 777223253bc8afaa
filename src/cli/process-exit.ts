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
   * The command ran to the end, but some messages were dead-lettered, skipped, late or not sent (replay --strict, publish),
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
const debugging = (env: NodeJS.ProcessEnv = process.env): boolean => Boolean(env.MARKET_DATA_DEBUG) && env.MARKET_DATA_DEBUG !== '0';

/** Print a failure as one line on stderr (`error: …`), control characters made visible; the stack only when debugging. */
export function printFailure(error: unknown, stream: NodeJS.WritableStream): void {
  stream.write(`${paint('red', 'error:', stream)} ${visible(describeFailure(error))}\n`);
  if (debugging() && error instanceof Error && error.stack) stream.write(`${error.stack}\n`);
}

/** What the handlers need of a process: its output streams, its events and exit (the process, or a stand-in). */
export interface ProcessLike {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  on(event: 'SIGINT' | 'SIGTERM' | 'uncaughtException' | 'unhandledRejection', listener: (error?: unknown) => void): unknown;
  exit(code: number): void;
}

const installed = new WeakSet<ProcessLike>();

/**
 * Process-wide behaviour of the command line tools: a closed output pipe ends the process quietly, an interrupt ends
 * it with the conventional code (the 'exit' handlers, such as the store lock's, still run), and an error nothing
 * else caught is still one line rather than a stack trace.
 */
export function installProcessHandlers(proc: ProcessLike = process): void {
  if (installed.has(proc)) return;
  installed.add(proc);
  for (const stream of [proc.stdout, proc.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') return proc.exit(EXIT_CODES.pipeClosed);
      // The other stream may still work; if it does not, the exit code says it all.
      if (stream !== proc.stderr) printFailure(error, proc.stderr);
      proc.exit(EXIT_CODES.failed);
    });
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) proc.on(signal, () => proc.exit(EXIT_CODES.interrupted));
  const fatal = (error: unknown) => {
    printFailure(error, proc.stderr);
    proc.exit(EXIT_CODES.failed);
  };
  proc.on('uncaughtException', fatal);
  proc.on('unhandledRejection', fatal);
}
