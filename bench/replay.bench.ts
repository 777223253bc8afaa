/**
 * End-to-end benchmark of the local runtime, as a user runs it: `npm start` wall time, then `market-data generate`
 * and `market-data replay` of a large file (default 1 000 000 ticks) with throughput and peak memory of the replay
 * process. Usage: npm run bench:replay [-- --ticks 1000000]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { timedProcess } from './timed-process.js';

const ticksArg = process.argv.indexOf('--ticks');
const TICKS = ticksArg > 0 ? Number(process.argv[ticksArg + 1]) : 1_000_000;

const home = await mkdtemp(join(tmpdir(), 'market-data-bench-'));
const env = { MARKET_DATA_HOME: home, ENVIRONMENT_SUFFIX: 'bench' };
const cli = (args: string[]) => timedProcess(process.execPath, ['bin/market-data.js', ...args], env);
try {
  const starts: number[] = [];
  for (let i = 0; i < 3; i++)
    starts.push((await timedProcess('npm', ['start', '--silent'], { ...env, ENVIRONMENT_SUFFIX: `bench-start-${i}` })).seconds);
  console.log(`npm start (fresh store each run): ${starts.map((s) => `${s.toFixed(2)} s`).join(', ')}`);

  const file = join(home, 'ticks.jsonl');
  const generated = await cli(['generate', '--ticks', String(TICKS), '--seed', '42', '--out', file]);
  console.log(
    `generate ${TICKS} ticks: ${generated.seconds.toFixed(1)} s${generated.maxRssMb ? `, peak RSS ${generated.maxRssMb.toFixed(0)} MB` : ''}`,
  );

  const replay = await cli(['replay', file, '--json', '--no-progress']);
  const summary = JSON.parse(replay.stdout) as {
    ticks: { in: number; processed: number };
    alerts: { total: number };
    wallTimeMs: number;
    ticksPerSecond: number;
  };
  console.log(
    `replay ${summary.ticks.in} ticks: ${summary.ticks.processed} processed, ${summary.alerts.total} alerts; ` +
      `${(summary.wallTimeMs / 1000).toFixed(1)} s in the pipeline (${summary.ticksPerSecond} ticks/s), ` +
      `${replay.seconds.toFixed(1)} s end to end (${Math.round(summary.ticks.in / replay.seconds)} ticks/s)` +
      (replay.maxRssMb ? `, peak RSS ${replay.maxRssMb.toFixed(0)} MB` : ''),
  );
} finally {
  await rm(home, { recursive: true, force: true });
}
