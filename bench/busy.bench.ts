/**
 * Busy symbols through `market-data replay`, as a user runs it, each run its own process and its own store:
 * - one symbol flapping across 150 on every tick (4 000 ticks in event-time order: 2 000 alerts expected) at
 *   --concurrency 1, 5, 10 and 20;
 * - a 16-symbol generated file at the default concurrency, and, with MARKET_DATA_BASELINE=<a checkout of an older
 *   version, with its node_modules installed>, the same file through that version in the same run, side by side.
 * Usage: npm run bench:busy [-- --ticks 20000]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { timedProcess } from './timed-process.js';

const ticksArg = process.argv.indexOf('--ticks');
const TICKS = ticksArg > 0 ? Number(process.argv[ticksArg + 1]) : 20_000;
const SYMBOLS = 'AAPL,MSFT,NVDA,TSLA,F,INTC,KO,XOM,GE,T,PFE,BAC,WFC,C,JPM,GS';
const baseline = process.env.MARKET_DATA_BASELINE;

interface Summary {
  ticks: { in: number; processed: number; late?: number };
  alerts: { total: number };
  wallTimeMs: number;
}

const home = await mkdtemp(join(tmpdir(), 'market-data-bench-busy-'));
let runs = 0;
/** One replay in a store of its own; the pipeline's wall time (from its summary) and the process's. */
async function replay(bin: string, file: string, concurrency?: number) {
  const env = { MARKET_DATA_HOME: join(home, `run-${++runs}`), ENVIRONMENT_SUFFIX: 'bench' };
  const args = [bin, 'replay', file, '--json', '-q', ...(concurrency ? ['--concurrency', String(concurrency)] : [])];
  const timed = await timedProcess(process.execPath, args, env);
  const summary = JSON.parse(timed.stdout) as Summary;
  return { summary, seconds: timed.seconds, pipelineSeconds: summary.wallTimeMs / 1000 };
}

try {
  const flapping = join(home, 'flapping.jsonl');
  const start = Date.now() - 4000 * 1000 - 60_000;
  await writeFile(
    flapping,
    Array.from({ length: 4000 }, (_, i) =>
      JSON.stringify({ symbol: 'FLAP', price: i % 2 === 0 ? 150.5 : 149.5, timestamp: new Date(start + i * 1000).toISOString() }),
    ).join('\n') + '\n',
  );
  const rows = [];
  for (const concurrency of [1, 5, 10, 20]) {
    const { summary, pipelineSeconds } = await replay('bin/market-data.js', flapping, concurrency);
    rows.push({
      run: `one flapping symbol, --concurrency ${concurrency}`,
      ticks: summary.ticks.in,
      alerts: summary.alerts.total,
      late: summary.ticks.late ?? 0,
      'pipeline s': Number(pipelineSeconds.toFixed(1)),
      'ticks/s': Math.round(summary.ticks.in / pipelineSeconds),
    });
  }
  console.log('\nOne symbol flapping across 150 on every tick, 4 000 ticks in event-time order (2 000 alerts expected)');
  console.table(rows);

  const generated = join(home, 'sixteen.jsonl');
  await timedProcess(
    process.execPath,
    ['bin/market-data.js', 'generate', '--ticks', String(TICKS), '--seed', '3', '--symbols', SYMBOLS, '--out', generated],
    {},
  );
  const side = [
    ['this version', 'bin/market-data.js'] as const,
    ...(baseline ? [['baseline', join(baseline, 'bin', 'market-data.js')] as const] : []),
  ];
  const results = [];
  for (const [name, bin] of side) {
    const { summary, pipelineSeconds, seconds } = await replay(bin, generated);
    results.push({
      version: name,
      ticks: summary.ticks.in,
      alerts: summary.alerts.total,
      'pipeline s': Number(pipelineSeconds.toFixed(1)),
      'ticks/s': Math.round(summary.ticks.in / pipelineSeconds),
      'process s': Number(seconds.toFixed(1)),
    });
  }
  console.log(
    `\n${TICKS.toLocaleString()} generated ticks of 16 symbols, replay at the default concurrency${baseline ? ` (baseline: ${baseline})` : ''}`,
  );
  console.table(results);
  if (results.length === 2) console.log(`speed relative to the baseline: ${(results[0]!['ticks/s'] / results[1]!['ticks/s']).toFixed(2)}`);
} finally {
  await rm(home, { recursive: true, force: true });
}
