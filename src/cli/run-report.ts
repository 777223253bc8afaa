import cliProgress from 'cli-progress';
import { basename } from 'node:path';
import type { PreparedRun } from '../app/sessions.js';
import type { Alert } from '../domain/index.js';
import type { Problem } from '../local/emulation/run-stats.js';
import type { RunSummary } from '../local/sessions/summary.js';
import { alertLine } from './alert-lines.js';
import type { CommandIO, OutputStream } from './io.js';
import { formatProblem, formatSummary } from './run-summary.js';
import { paint, safeJson, visible, type Style } from './terminal.js';

export interface ReportOptions {
  /** Print the summary as JSON on stdout and nothing else there (problems go to stderr). */
  readonly json?: boolean;
  /** Leave out the alert lines (they are still in the notifications file). */
  readonly quiet?: boolean;
  /** Show a progress bar over the input files: true, false, or undefined for "when stderr is a terminal". */
  readonly progress?: boolean;
}

/** A progress bar over the bytes of each input file, and a way to print lines without tearing it. */
function progressBar(stream: OutputStream, sizes: ReadonlyMap<string, number>) {
  const bars = new cliProgress.MultiBar(
    {
      format: '{file} [{bar}] {percentage}% | {ticks} lines | {rate} lines/s | ETA {eta_formatted}',
      stream,
      noTTYOutput: !stream.isTTY,
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
      // Lines logged since the last redraw are only written by a redraw: one more, so that none is lost.
      bars.update();
      bars.stop();
    },
  };
}

/** Alerts stand out, problems are marked. */
const ALERT_STYLE: Readonly<Record<Alert['alertType'], Style>> = { HIGH: ['red', 'bold'], LOW: ['cyan', 'bold'], INSIDE: ['green', 'bold'] };
const PROBLEM_STYLE: Readonly<Record<Problem['outcome'], Style>> = {
  'dead-lettered': 'yellow',
  unmatched: 'dim',
  skipped: 'dim',
  late: 'magenta',
};

/**
 * Run something through the local pipeline and report on the console: alert lines and problems as they happen, a
 * progress bar on stderr over the input files (when there are some and stderr is a terminal, or when asked), then
 * the summary (text, or JSON). Text from the input is printed with its control characters made visible; colour
 * only on a terminal, never with NO_COLOR.
 */
export async function reportRun(prepared: PreparedRun, options: ReportOptions, io: CommandIO): Promise<RunSummary> {
  const showProgress = prepared.sizes !== undefined && !options.json && (options.progress ?? Boolean(io.stderr.isTTY));
  const bar = showProgress ? progressBar(io.stderr, prepared.sizes!) : undefined;
  const print = (stream: OutputStream, style?: Style) => (line: string) => {
    const shown = style ? paint(style, line, stream) : line;
    if (bar) bar.log(shown);
    else stream.write(`${shown}\n`);
  };
  const format = { withFile: prepared.files > 1, escape: visible };
  let summary: RunSummary;
  try {
    summary = await prepared.run({
      ...(!options.json &&
        !options.quiet && { onAlert: (alert: Alert) => print(io.stdout, ALERT_STYLE[alert.alertType])(visible(alertLine(alert))) }),
      onProblem: (problem) => print(options.json ? io.stderr : io.stdout, PROBLEM_STYLE[problem.outcome])(formatProblem(problem, format)),
      ...(bar && { progress: (input, p) => bar.update(input.file, p.bytesRead) }),
    });
  } finally {
    bar?.finish();
  }
  io.stdout.write(options.json ? `${safeJson(summary)}\n` : `\n${formatSummary(summary, format)}\n`);
  return summary;
}
