import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marketData, startMarketData } from '../support/cli.js';
import { COMMAND_TIMEOUT_MS, SLOW_TEST_TIMEOUT_MS } from '../support/timeouts.js';
import { PROJECT_ROOT } from '../../src/shared/project-root.js';

const CONTENDERS = 10;

/** Start `count` processes that all try to take the lock at the same instant; their outputs and the critical-section log. */
async function contend(lock: string, log: string, count: number): Promise<{ outcomes: string[]; log: string[] }> {
  await writeFile(log, '');
  const startAt = Date.now() + 2_500; // time for every process to load before the common start
  const outcomes = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<string>((resolve, reject) => {
          const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/lock-contender.ts', lock, log, String(startAt)], {
            cwd: PROJECT_ROOT,
            timeout: COMMAND_TIMEOUT_MS,
            killSignal: 'SIGKILL',
          });
          let out = '';
          let err = '';
          child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
          child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
          child.on('error', reject);
          child.on('close', (code) => resolve(code === 0 ? out : `failed ${code}: ${err}`));
        }),
    ),
  );
  return { outcomes, log: (await readFile(log, 'utf8')).trim().split('\n').filter(Boolean) };
}

/** The log of a lock that held: enter and exit of the same process, one process at a time. */
function expectOneAtATime(log: readonly string[]): void {
  expect(log.length % 2).toBe(0);
  for (let i = 0; i < log.length; i += 2) {
    const pid = log[i]!.split(' ')[1];
    expect([log[i], log[i + 1]]).toEqual([`enter ${pid}`, `exit ${pid}`]);
  }
}

/** The pid of a process that has exited (its lock is stale). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('close', resolve));
  return child.pid!;
}

describe('the store lock, with many processes at once', { timeout: SLOW_TEST_TIMEOUT_MS }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'market-data-lock-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('lets exactly one process in at a time when all start together', async () => {
    const { outcomes, log } = await contend(join(dir, 'a.lock'), join(dir, 'a.log'), CONTENDERS);
    expect(outcomes.every((o) => o === 'held' || o === 'busy')).toBe(true);
    expect(outcomes.filter((o) => o === 'held').length).toBeGreaterThanOrEqual(1);
    expectOneAtATime(log);
  });

  it('takes over a lock whose owner is gone, one taker only, whatever format it was written in', async () => {
    for (const [name, content] of [
      ['b', JSON.stringify({ pid: await deadPid(), host: (await import('node:os')).hostname(), token: 'stale-token', since: '' })],
      ['c', String(await deadPid())],
    ] as const) {
      const lock = join(dir, `${name}.lock`);
      await writeFile(lock, content);
      const { outcomes, log } = await contend(lock, join(dir, `${name}.log`), CONTENDERS);
      expect(outcomes.every((o) => o === 'held' || o === 'busy')).toBe(true);
      expect(outcomes.filter((o) => o === 'held').length).toBeGreaterThanOrEqual(1);
      expectOneAtATime(log);
    }
  });

  it('market-data commands started together either run or say the store is in use: never a crash', async () => {
    const home = join(dir, 'home');
    const env = { MARKET_DATA_HOME: home, ENVIRONMENT_SUFFIX: 'lock' };
    expect((await marketData(['rules', 'list'], env)).code).toBe(0);
    const symbols = ['AAA', 'BBB', 'CCC', 'DDD', 'EEE', 'FFF'];
    const results = await Promise.all(
      symbols.map(
        (symbol) =>
          new Promise<{ symbol: string; code: number | null; stderr: string }>((resolve) => {
            const child = startMarketData(['rules', 'set', symbol, '--above', '200'], env);
            let stderr = '';
            child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
            child.on('close', (code) => resolve({ symbol, code, stderr }));
          }),
      ),
    );
    for (const r of results) {
      if (r.code === 0) expect(r.stderr).toBe('');
      else
        expect([r.code, r.stderr]).toEqual([
          1,
          expect.stringMatching(
            /^error: the local store .* is in use by another market-data process \(pid \d+\); wait for it to finish or stop it\n$/,
          ),
        ]);
    }
    const list = JSON.parse((await marketData(['rules', 'list', '--json'], env)).stdout) as { symbols: { symbol: string }[] };
    expect(list.symbols.map((s) => s.symbol).sort()).toEqual(
      results
        .filter((r) => r.code === 0)
        .map((r) => r.symbol)
        .sort(),
    );
  });
});
