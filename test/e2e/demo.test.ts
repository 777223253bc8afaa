import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { cleanEnv, marketData, run } from '../support/cli.js';
import { COMMAND_TIMEOUT_MS, SLOW_TEST_TIMEOUT_MS } from '../support/timeouts.js';
import { PROJECT_ROOT } from '../../src/shared/project-root.js';

/** Run a command on a pseudo-terminal and type `input` into it; what the terminal showed. */
function answer(command: string, input: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: PROJECT_ROOT, env: cleanEnv(env), timeout: COMMAND_TIMEOUT_MS });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('[y/N]')) child.stdin.end(input);
    });
    child.on('error', reject);
    child.on('close', () => resolve(out));
  });
}

const alertLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('ALERT '))
    .sort();

/** Folders and files not private to the user (0700 and 0600), under `dir`. */
async function notPrivate(dir: string): Promise<string[]> {
  const modes: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const mode = (await stat(path)).mode & 0o777;
      if (entry.isDirectory()) {
        if (mode !== 0o700) modes.push(`${path} ${mode.toString(8)}`);
        await walk(path);
      } else if (mode !== 0o600) modes.push(`${path} ${mode.toString(8)}`);
    }
  };
  await walk(dir);
  return modes;
}

interface Environment {
  readonly home: string;
  readonly env: Record<string, string>;
  /** A file of the user's own ticks, one of them invalid. */
  readonly mine: string;
}

/**
 * `npm start` is a fresh demo run each time, apart from what `replay` accumulates; `reset` clears an environment.
 * A test that changes an environment has one of its own; the tests that only look at one share it.
 */
describe('npm start, replay --fresh and reset', { timeout: SLOW_TEST_TIMEOUT_MS }, () => {
  const homes: string[] = [];
  afterAll(() => Promise.all(homes.map((home) => rm(home, { recursive: true, force: true }))));

  async function freshEnvironment(): Promise<Environment> {
    const home = await mkdtemp(join(tmpdir(), 'market-data-demo-'));
    homes.push(home);
    const mine = join(home, 'mine.jsonl');
    await writeFile(mine, '{"symbol":"TSLA","price":160,"timestamp":"2026-11-20T15:00:00Z"}\n{"symbol":"TSLA","price":0}\n');
    return { home, env: { MARKET_DATA_HOME: home, ENVIRONMENT_SUFFIX: 'demo' }, mine };
  }

  /** An environment as the README's user leaves it: a rule override set, a file of their own replayed, then npm start. */
  async function usedEnvironment(): Promise<Environment> {
    const used = await freshEnvironment();
    const { env, mine } = used;
    expect((await marketData(['rules', 'set', 'AAPL', '--above', '152'], env)).code).toBe(0);
    expect((await marketData(['replay', mine, '-q'], env)).code).toBe(0);
    expect((await run('npm', ['start', '--silent'], env)).code).toBe(0);
    return used;
  }

  it("the README's exercise: npm start, rules set AAPL --above 152, npm start shows the rule's effect at once", async () => {
    const { env } = await freshEnvironment();
    const first = await run('npm', ['start', '--silent'], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('ALERT HIGH  AAPL 150.16 > 150 at 2026-11-20T16:01:49.595Z');
    const again = await run('npm', ['start', '--silent'], env);
    // A fresh run each time: the same alerts, the same dead letters, not the first run's added to them.
    expect(alertLines(again.stdout)).toEqual(alertLines(first.stdout));
    expect(again.stdout).toContain('dead letters   7 messages (6 ticks, 1 event)');
    const demoDlq = JSON.parse((await marketData(['dlq', 'list', '--demo', '--json'], env)).stdout) as Record<'ticks' | 'events', { total: number }>;
    expect([demoDlq.ticks.total, demoDlq.events.total]).toEqual([6, 1]);

    expect((await marketData(['rules', 'set', 'AAPL', '--above', '152'], env)).code).toBe(0);
    const changed = await run('npm', ['start', '--silent'], env);
    const aapl = alertLines(changed.stdout).filter((l) => l.includes(' AAPL '));
    expect(aapl).toEqual(['ALERT HIGH  AAPL 152.5 > 152 at 2026-11-20T16:26:32.212Z [id 462ef75b]']);
    expect(alertLines(changed.stdout).filter((l) => !l.includes(' AAPL '))).toEqual(alertLines(first.stdout).filter((l) => !l.includes(' AAPL ')));
  });

  // These only read the environment: it is used once for all of them, and a failure to set it up fails only them.
  describe('an environment npm start ran in after a replay of its own', () => {
    let shared: Environment;
    beforeAll(async () => {
      shared = await usedEnvironment();
    }, SLOW_TEST_TIMEOUT_MS);

    it("keeps the demo apart: the environment's own alerts and dead letters are untouched by npm start", async () => {
      const { env } = shared;
      const alerts = JSON.parse((await marketData(['alerts', '--json'], env)).stdout) as { symbol: string }[];
      expect(alerts.map((a) => a.symbol)).toEqual(['TSLA']);
      const dlq = JSON.parse((await marketData(['dlq', 'list', '--json'], env)).stdout) as Record<'ticks' | 'events', { total: number }>;
      expect([dlq.ticks.total, dlq.events.total]).toEqual([1, 0]);
    });

    it('keeps everything it writes private: folders 0700, files 0600', async () => {
      expect(await notPrivate(join(shared.home, 'demo'))).toEqual([]);
    });
  });

  it('replay accumulates; replay --fresh starts the environment clean but keeps its rules', async () => {
    const { home, env, mine } = await freshEnvironment();
    expect((await marketData(['rules', 'set', 'AAPL', '--above', '152'], env)).code).toBe(0);
    expect((await marketData(['replay', mine, '-q'], env)).code).toBe(0);
    // replay accumulates: the same file again adds its dead letter again.
    await marketData(['replay', mine, '-q'], env);
    expect((JSON.parse((await marketData(['dlq', 'list', '--json'], env)).stdout) as { ticks: { total: number } }).ticks.total).toBe(2);

    const fresh = await marketData(['replay', mine, '--fresh', '--json'], env);
    expect(fresh.code).toBe(0);
    expect(JSON.parse(fresh.stdout).alerts).toEqual({ total: 1, HIGH: 1, LOW: 0 });
    const dlq = JSON.parse((await marketData(['dlq', 'list', '--json'], env)).stdout) as { ticks: { total: number } };
    expect(dlq.ticks.total).toBe(1);
    const rules = JSON.parse((await marketData(['rules', 'list', '--json'], env)).stdout) as {
      symbols: { symbol: string; override: unknown; zone: unknown }[];
    };
    expect(rules.symbols).toEqual([
      expect.objectContaining({ symbol: 'AAPL', override: { above: 152 }, zone: null }),
      expect.objectContaining({ symbol: 'TSLA', override: null, zone: 'HIGH' }),
    ]);
    // What --fresh wrote anew is as private as the rest.
    expect(await notPrivate(join(home, 'demo'))).toEqual([]);
  });

  it('reset says what it deletes; without a terminal it needs --yes, and then deletes it', async () => {
    const { home, env } = await usedEnvironment();
    const refused = await marketData(['reset'], env);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe(
      `reset deletes, in environment demo (${join(home, 'demo')}):\n` +
        '  - the embedded store: alerts, rule overrides, symbol state, market data and audit trail\n' +
        '  - the dead-letter queues (1 tick, 0 events) and the notifications file\n' +
        '  - the demo run of npm start (its tables, dead letters (6 ticks, 1 event) and notifications)\n',
    );
    expect(refused.stderr).toBe(
      'error: reset asks before deleting, and standard input is not a terminal: run it again with --yes to delete; nothing was deleted\n',
    );
    expect((JSON.parse((await marketData(['alerts', '--json'], env)).stdout) as unknown[]).length).toBe(1);

    // At a terminal it asks; anything but yes keeps everything. (`script` gives the command a pseudo-terminal.)
    const declined = await answer(`${process.execPath} bin/market-data.js reset`, 'n\n', env);
    expect(declined).toMatch(/delete all of this\?\S* \[y\/N\]/);
    expect(declined).toContain('nothing was deleted');
    expect((JSON.parse((await marketData(['alerts', '--json'], env)).stdout) as unknown[]).length).toBe(1);

    const kept = await marketData(['reset', '--keep-rules', '--yes'], env);
    expect(kept.stdout).toContain('environment demo reset (rule overrides kept)\n');
    expect((await marketData(['alerts', '--demo'], env)).stderr).toBe('error: there is no demo run in environment demo yet: npm start makes one\n');
    const rules = JSON.parse((await marketData(['rules', 'list', '--json'], env)).stdout) as { symbols: { symbol: string }[] };
    expect(rules.symbols.map((s) => s.symbol)).toEqual(['AAPL']);

    const all = await marketData(['reset', '--yes'], env);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/environment demo reset\n$/);
    await expect(stat(join(home, 'demo'))).rejects.toThrow();
    expect((await marketData(['reset', '--yes'], env)).stdout).toBe(`nothing to reset: environment demo has no local data (${join(home, 'demo')})\n`);
  });
});
