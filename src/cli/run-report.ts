import cliProgress from 'cli-progress';
import { basename } from 'node:path';
import type { Alert } from '../domain/index.js';
import { checkInput } from '../local/formats/input-file.js';
import type { Problem } from '../local/emulation/run-stats.js';
import { replay, type ReplayOptions, type RunHooks } from '../local/sessions/replay.js';
import { formatProblem, formatSummary, type RunSummary } from '../local/sessions/summary.js';
import { alertLine } from './alert-lines.js';
import { paint, safeJson, visible, type Style } from './terminal.js';

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
        const bar = bars.create(sizes.get(file) ?? 0, 0, { file: visible(basename(file)), ticks: 0, rate: 0 });
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

/** Alerts stand out, problems are marked. */
const ALERT_STYLE: Readonly<Record<Alert['alertType'], Style>> = { HIGH: ['red', 'bold'], LOW: ['cyan', 'bold'] };
const PROBLEM_STYLE: Readonly<Record<Problem['outcome'], Style>> = { 'dead-lettered': 'yellow', unmatched: 'dim', skipped: 'dim' };

/**
 * Run something through the local pipeline and report on the console: alert lines and problems as they happen, a
 * progress bar on stderr when `progressOver` gives the input sizes, then the summary (text, or JSON). Text from the
 * input is printed with its control characters made visible; colour only on a terminal, never with NO_COLOR.
 */
export async function reportRun(
  run: (hooks: RunHooks) => Promise<RunSummary>,
  options: ReportOptions & { readonly progressOver?: ReadonlyMap<string, number>; readonly files?: number },
  io: ConsoleIO = process,
): Promise<RunSummary> {
  const bar = options.progressOver && !options.json ? progressBar(io, options.progressOver) : undefined;
  const print = (stream: NodeJS.WriteStream, style?: Style) => (line: string) => {
    const shown = style ? paint(style, line, stream) : line;
    if (bar) bar.log(shown);
    else stream.write(`${shown}\n`);
  };
  const format = { withFile: (options.files ?? 1) > 1, escape: visible };
  let summary: RunSummary;
  try {
    summary = await run({
      ...(!options.json && !options.quiet && { onAlert: (alert: Alert) => print(io.stdout, ALERT_STYLE[alert.alertType])(visible(alertLine(alert))) }),
      onProblem: (problem) => print(options.json ? io.stderr : io.stdout, PROBLEM_STYLE[problem.outcome])(formatProblem(problem, format)),
      ...(bar && { progress: (input, p) => bar.update(input.file, p.bytesRead) }),
    });
  } finally {
    bar?.finish();
  }
  io.stdout.write(options.json ? `${safeJson(summary)}\n` : `\n${formatSummary(summary, format)}\n`);
  return summary;
}

export interface ConsoleReplayOptions extends Omit<ReplayOptions, keyof RunHooks>, ReportOptions {
  /** Show a progress bar: true, false, or undefined for "when stderr is a terminal". */
  readonly progress?: boolean;
}

/**
 * Replay files with a console report. Every file is checked first (that it exists, and a CSV file's header), so a
 * bad file stops the run before anything of any file is committed.
 */
export async function replayWithReport(options: ConsoleReplayOptions, io: ConsoleIO = process): Promise<RunSummary> {
  const sizes = new Map<string, number>();
  for (const input of options.inputs) sizes.set(input.file, await checkInput(input.file, input.format));
  const { json, quiet, progress, ...replayOptions } = options;
  const showProgress = progress ?? Boolean(io.stderr.isTTY);
  return reportRun(
    (hooks) => replay({ ...replayOptions, ...hooks }),
    { json, quiet, files: new Set(options.inputs.map((i) => i.file)).size, ...(showProgress && { progressOver: sizes }) },
    io,
  );
}
