import cliProgress from 'cli-progress';
import { basename } from 'node:path';
import { checkInputFile } from './input-file.js';
import { replay, type ReplayOptions, type RunHooks } from './replay.js';
import { formatProblem, formatSummary, type RunSummary } from './summary.js';

export interface ConsoleIO {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
}

export interface ReportOptions {
  /** Print the summary as JSON on stdout and nothing else there (problems go to stderr). */
  readonly json?: boolean;
  /** Leave out the alert lines (they are still in the notifications file). */
  readonly quiet?: boolean;
}

/** A progress bar over the bytes of each input file, and a way to print lines without tearing it. */
function progressBar(io: ConsoleIO, sizes: ReadonlyMap<string, number>) {
  const bars = new cliProgress.MultiBar(
    {
      format: '{file} [{bar}] {percentage}% | {ticks} lines | {rate} lines/s | ETA {eta_formatted}',
      stream: io.stderr,
      noTTYOutput: !io.stderr.isTTY,
      notTTYSchedule: 5_000,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let current: { file: string; bar: cliProgress.SingleBar; started: number; lines: number } | undefined;
  return {
    log: (line: string) => bars.log(`${line}\n`),
    update: (file: string, bytesRead: number) => {
      if (current?.file !== file) {
        current?.bar.update(current.bar.getTotal());
        const bar = bars.create(sizes.get(file) ?? 0, 0, { file: basename(file), ticks: 0, rate: 0 });
        current = { file, bar, started: performance.now(), lines: 0 };
      }
      current.lines++;
      // The bar throttles redraws itself; updating every few hundred lines keeps the hot path cheap.
      if (current.lines % 256 === 0) {
        const seconds = (performance.now() - current.started) / 1000;
        current.bar.update(bytesRead, { ticks: current.lines, rate: seconds > 0 ? Math.round(current.lines / seconds) : 0 });
      }
    },
    finish: () => {
      if (current) current.bar.update(current.bar.getTotal(), { ticks: current.lines });
      bars.stop();
    },
  };
}

/**
 * Run something through the local pipeline and report on the console: alert lines and problems as they happen, a
 * progress bar on stderr when `progressOver` gives the input sizes, then the summary (text, or JSON).
 */
export async function reportRun(
  run: (hooks: RunHooks) => Promise<RunSummary>,
  options: ReportOptions & { readonly progressOver?: ReadonlyMap<string, number> },
  io: ConsoleIO = process,
): Promise<RunSummary> {
  const bar = options.progressOver && !options.json ? progressBar(io, options.progressOver) : undefined;
  const print = (stream: NodeJS.WriteStream) => (line: string) => (bar ? bar.log(line) : stream.write(`${line}\n`));
  let summary: RunSummary;
  try {
    summary = await run({
      ...(!options.json && !options.quiet && { printAlert: print(io.stdout) }),
      onProblem: (problem) => print(options.json ? io.stderr : io.stdout)(formatProblem(problem)),
      ...(bar && { progress: (input, p) => bar.update(input.file, p.bytesRead) }),
    });
  } finally {
    bar?.finish();
  }
  io.stdout.write(options.json ? `${JSON.stringify(summary, null, 2)}\n` : `\n${formatSummary(summary)}\n`);
  return summary;
}

export interface ConsoleReplayOptions extends Omit<ReplayOptions, keyof RunHooks>, ReportOptions {
  /** Show a progress bar: true, false, or undefined for "when stderr is a terminal". */
  readonly progress?: boolean;
}

/** Replay files with a console report. Every file is checked first, so a missing one stops the run before it starts. */
export async function replayWithReport(options: ConsoleReplayOptions, io: ConsoleIO = process): Promise<RunSummary> {
  const sizes = new Map<string, number>();
  for (const input of options.inputs) sizes.set(input.file, await checkInputFile(input.file));
  const { json, quiet, progress, ...replayOptions } = options;
  const showProgress = progress ?? Boolean(io.stderr.isTTY);
  return reportRun((hooks) => replay({ ...replayOptions, ...hooks }), { json, quiet, ...(showProgress && { progressOver: sizes }) }, io);
}
