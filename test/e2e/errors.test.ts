import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localPaths } from '../../src/local/emulation/paths.js';
import { marketData, run, startMarketData } from '../support/cli.js';
import { SLOW_TEST_TIMEOUT_MS } from '../support/timeouts.js';

/**
 * User and environment errors end in one line on stderr and a non-zero exit, never a stack trace. Each test gets a
 * data folder of its own: a store one of them failed to unlock cannot fail the next.
 */
describe('market-data when things go wrong', { timeout: SLOW_TEST_TIMEOUT_MS }, () => {
  let home: string;
  const env = () => ({ MARKET_DATA_HOME: home, ENVIRONMENT_SUFFIX: 'err' });
  const paths = () => localPaths(home, 'err');

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'market-data-errors-'));
  });
  afterEach(() => rm(home, { recursive: true, force: true }));

  it('a closed output pipe ends the command quietly, with the exit code of SIGPIPE, and releases the store', async () => {
    await mkdir(paths().root, { recursive: true });
    const letters = Array.from({ length: 3000 }, (_, i) =>
      JSON.stringify({ messageId: `m${i}`, body: '{"price":0}', sentTimestamp: 1, receiveCount: 3, reason: 'r' }),
    );
    await writeFile(paths().ticksDlq, `${letters.join('\n')}\n`);
    const child = startMarketData(['dlq', 'list', '--limit', '3000'], env());
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Like `| head -2`: read a little, then close the reading end.
    await new Promise((resolve) => child.stdout.once('data', resolve));
    child.stdout.destroy();
    const code = await new Promise((resolve) => child.once('close', resolve));
    expect([code, stderr]).toEqual([141, '']);
    expect(existsSync(paths().lock)).toBe(false);
  });

  it('a full disk is one line naming the file, and the store is left unlocked', async () => {
    const { code, stderr } = await run(
      process.execPath,
      ['--import', './test/support/full-disk.mjs', 'bin/market-data.js', 'replay', 'src/local/sample/session.jsonl', '-q'],
      env(),
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^error: cannot write \S+\/err\/(market-data-dlq-err\.jsonl|market-events-dlq-err\.jsonl|notifications\.jsonl): the disk is full: free some space and run the command again \(ENOSPC\)\n$/,
    );
    expect(existsSync(paths().lock)).toBe(false);
  });

  it('a line too long to be a message is reported with its number and the rest is read', async () => {
    const file = join(home, 'long.jsonl');
    await writeFile(file, `{"symbol":"KO","price":61}\n${'x'.repeat(8 * 1024 * 1024)}\n{"symbol":"KO","price":62}\n`);
    const { code, stdout, stderr } = await marketData(['replay', file], env());
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout).toContain('SKIP  line 2 (unreadable line): longer than 1048576 bytes (8388608), skipped');
    expect(stdout).toContain('ticks in          2 (2 processed, 0 to the DLQ)');
    expect(stdout).toContain('unreadable lines  1 skipped');
  });

  it('a missing file and a bad CSV header stop the run before anything is sent, naming the file', async () => {
    const good = join(home, 'good.jsonl');
    const bad = join(home, 'bad.csv');
    await writeFile(good, '{"symbol":"XOM","price":111}\n');
    await writeFile(bad, 'XOM;111\n');
    const fresh = { ...env(), ENVIRONMENT_SUFFIX: 'header' };
    const result = await marketData(['replay', good, bad, '--json'], fresh);
    expect([result.code, result.stdout]).toEqual([1, '']);
    expect(result.stderr).toBe(
      `error: ${bad}: the first line must be a header naming the columns, at least symbol and price (known: symbol, price, timestamp, volume, exchange, bid, ask); got "XOM;111"\n`,
    );
    // XOM of the first file was not sent: no engine state for it.
    const rules = await marketData(['rules', 'list', '--json'], fresh);
    expect((JSON.parse(rules.stdout) as { symbols: unknown[] }).symbols).toEqual([]);
    const missing = await marketData(['replay', good, join(home, 'nope.jsonl')], env());
    expect([missing.code, missing.stderr]).toEqual([1, `error: file not found: ${join(home, 'nope.jsonl')}\n`]);
  });

  it('MARKET_DATA_DEBUG=1 adds the stack trace for developers', async () => {
    const { code, stderr } = await marketData(['replay', 'no-such.jsonl'], { ...env(), MARKET_DATA_DEBUG: '1' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: file not found: no-such\.jsonl\nInputError: file not found: no-such\.jsonl\n {4}at /);
  });
});
