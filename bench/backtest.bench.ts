/**
 * `market-data backtest` against `market-data replay`, side by side on the same generated file, as a user runs them
 * (separate processes, start-up included): ticks per second of wall time and of CPU time, and peak resident memory.
 * Then the backtest alone on 1 000 000 ticks, to show its memory stays flat as the file grows.
 * Usage: npm run bench:backtest [-- --ticks 100000 --large 1000000]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { timedProcess, type Timed } from './timed-process.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
/** Replay runs near 1 000 ticks/s (5 batches in flight) on an idle 2-core machine: 50 000 ticks take about a minute. */
const TICKS = arg('--ticks', 50_000);
/** The old-generation heap a million-tick backtest must fit in: what it keeps does not grow with the file. */
const CAPPED_HEAP_MB = 64;
const LARGE = arg('--large', 1_000_000);
/** One market-data command in its own process, with Node options (a heap cap) before the script. */
const measure = (args: string[], env: Record<string, string>, nodeOptions: string[] = []): Promise<Timed> =>
  timedProcess(process.execPath, [...nodeOptions, 'bin/market-data.js', ...args], env);

interface Row {
  run: string;
  ticks: number;
  alerts: number | string;
  'wall s': string;
  'ticks/s (wall)': number;
  'ticks/s (CPU)': number | string;
  'peak RSS MB': number | string;
}

const row = (run: string, ticks: number, alerts: number | string, m: Timed): Row => ({
  run,
  ticks,
  alerts,
  'wall s': m.seconds.toFixed(1),
  'ticks/s (wall)': Math.round(ticks / m.seconds),
  'ticks/s (CPU)': m.cpuSeconds ? Math.round(ticks / m.cpuSeconds) : 'n/a',
  'peak RSS MB': m.maxRssMb ? Math.round(m.maxRssMb) : 'n/a',
});

const home = await mkdtemp(join(tmpdir(), 'market-data-bench-backtest-'));
const env = { MARKET_DATA_HOME: home, ENVIRONMENT_SUFFIX: 'bench' };
try {
  const file = join(home, 'ticks.jsonl');
  await measure(['generate', '--ticks', String(TICKS), '--seed', '42', '--out', file], env);
  console.log(
    `\nbacktest and replay on the same ${TICKS.toLocaleString()} generated ticks (8 symbols near the thresholds), one process each, start-up included`,
  );
  const replay = await measure(['replay', file, '--json', '--no-progress'], env);
  const replayed = JSON.parse(replay.stdout) as { alerts: { total: number } };
  const backtest = await measure(['backtest', file, '--json'], env);
  const backtested = JSON.parse(backtest.stdout) as { totals: { alerts: { total: number } } };
  const report = await measure(['backtest', file, '--report', join(home, 'report.html')], env);
  const rows = [
    row('replay (embedded store, 5 batches in flight)', TICKS, replayed.alerts.total, replay),
    row('backtest --json', TICKS, backtested.totals.alerts.total, backtest),
    row('backtest --report', TICKS, backtested.totals.alerts.total, report),
  ];

  const large = join(home, 'large.jsonl');
  await measure(['generate', '--ticks', String(LARGE), '--seed', '42', '--out', large], env);
  const big = await measure(['backtest', large, '--json'], env);
  const bigAlerts = (JSON.parse(big.stdout) as { totals: { alerts: { total: number } } }).totals.alerts.total;
  const bigReport = await measure(['backtest', large, '--report', join(home, 'large.html')], env);
  // V8 grows its heap lazily while a run allocates fast, so peak RSS rises a little with the file even though the
  // data kept does not: the same run with the old generation capped shows what it really needs.
  const capped = await measure(['backtest', large, '--json'], env, [`--max-old-space-size=${CAPPED_HEAP_MB}`]);
  rows.push(
    row('backtest --json', LARGE, bigAlerts, big),
    row('backtest --report', LARGE, bigAlerts, bigReport),
    row(`backtest --json, old heap capped at ${CAPPED_HEAP_MB} MB`, LARGE, bigAlerts, capped),
  );
  console.table(rows);

  const ratio = (b: Timed, r: Timed) => r.seconds / b.seconds;
  console.log(
    `backtest is ${ratio(backtest, replay).toFixed(1)}× replay's throughput on the same file (wall time; ${
      backtest.cpuSeconds && replay.cpuSeconds ? `${(replay.cpuSeconds / backtest.cpuSeconds).toFixed(1)}× in CPU time` : 'CPU time n/a'
    })`,
  );
  if (backtest.maxRssMb && big.maxRssMb) {
    console.log(
      `peak RSS: ${Math.round(backtest.maxRssMb)} MB for ${TICKS.toLocaleString()} ticks, ${Math.round(big.maxRssMb)} MB for ${LARGE.toLocaleString()} ticks`,
    );
  }
} finally {
  await rm(home, { recursive: true, force: true });
}
