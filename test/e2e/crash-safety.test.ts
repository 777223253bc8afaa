import { existsSync, statSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tickDeadLetters, tickLetterId, type TickDeadLetter } from '../../src/local/emulation/dead-letter-store.js';
import { localPaths } from '../../src/local/emulation/paths.js';
import { marketData, startMarketData } from '../support/cli.js';
import { COMMAND_TIMEOUT_MS, SLOW_TEST_TIMEOUT_MS } from '../support/timeouts.js';

const LETTERS = 12_000;

/** Dead letters that fail again on every redrive (price 0), so each must stay in the queue exactly once. */
function deadLetters(count: number): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    lines.push(
      JSON.stringify({
        messageId: `id-${i}`,
        body: '{"symbol":"AAPL","price":0}',
        sentTimestamp: 1_763_650_000_000,
        receiveCount: 3,
        reason: 'price: must be greater than 0',
        deadLetteredAt: '2026-11-20T14:30:00.000Z',
        origin: { file: 'day.jsonl', line: i + 1 },
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}

// Each test kills commands or tears files: it gets a data folder of its own, so what one leaves cannot fail another.
describe('local files survive crashes', { timeout: SLOW_TEST_TIMEOUT_MS }, () => {
  let home: string;
  const env = () => ({ MARKET_DATA_HOME: home, ENVIRONMENT_SUFFIX: 'crash' });
  const paths = () => localPaths(home, 'crash');

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'market-data-crash-'));
  });
  afterEach(() => rm(home, { recursive: true, force: true }));

  /** Every dead letter in the queue, as the next command sees it: the id it was first sent with (a redrive gives a new one). */
  const ids = async (): Promise<string[]> => {
    const out: string[] = [];
    for await (const letter of tickDeadLetters(paths().ticksDlq).entries()) out.push(tickLetterId(letter));
    return out;
  };
  /** The message ids the dead letters have now. */
  const messageIds = async (): Promise<Set<string>> => {
    const out = new Set<string>();
    for await (const letter of tickDeadLetters(paths().ticksDlq).entries()) out.add(letter.messageId);
    return out;
  };

  it('dlq redrive killed at any moment leaves every dead letter exactly once, and the next redrive finishes', async () => {
    await mkdir(paths().root, { recursive: true });
    await writeFile(paths().ticksDlq, deadLetters(LETTERS));
    const expected = Array.from({ length: LETTERS }, (_, i) => `id-${i}`).sort();
    const progress = tickDeadLetters(paths().ticksDlq).progressFile;
    const mainSize = () => (existsSync(paths().ticksDlq) ? statSync(paths().ticksDlq).size : 0);
    // Killed once the redrive has recorded where it starts (or, when a progress record is left, while starting up),
    // and killed in the middle of a chunk: some of its dead letters have failed again and are back in the queue with
    // new message ids, and the chunk's progress is not recorded yet, so the next run must know them by their first id.
    const kills = [
      ['started', 0],
      ['sent back', 0],
      ['started', 150],
      ['sent back', 150],
      ['sent back', 400],
      ['sent back', 50],
    ] as const;
    for (const [until, delay] of kills) {
      const before = mainSize();
      const child = startMarketData(['dlq', 'redrive', '--queue', 'ticks', '--json'], env());
      const ready = () => (until === 'started' ? existsSync(progress) : mainSize() > before);
      const started = Date.now();
      while (!ready() && child.exitCode === null && Date.now() - started < COMMAND_TIMEOUT_MS) await sleep(5);
      await sleep(delay);
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('close', resolve));
      expect(child.signalCode).toBe('SIGKILL');
      const seen = await ids();
      expect(seen.length).toBe(LETTERS);
      expect([...new Set(seen)].sort()).toEqual(expected);
      const listed = await marketData(['dlq', 'list', '--queue', 'ticks', '--json', '--limit', '1'], env());
      expect(JSON.parse(listed.stdout).ticks.total).toBe(LETTERS);
    }
    const finished = await marketData(['dlq', 'redrive', '--queue', 'ticks', '--json'], env());
    expect(finished.code).toBe(0);
    expect(JSON.parse(finished.stdout).ticks).toMatchObject({ deadLettered: expect.any(Number) });
    expect((await ids()).sort()).toEqual(expected);
    // Every one went round again, as SQS moves them: each came back with a new message id of its own.
    const now = await messageIds();
    expect(now.size).toBe(LETTERS);
    expect(expected.filter((id) => now.has(id))).toEqual([]);
    expect(existsSync(progress) || existsSync(tickDeadLetters(paths().ticksDlq).asideFile)).toBe(false);
  });

  it('a torn last line is reported with its file and line, and never glued to the next dead letter', async () => {
    const file = paths().ticksDlq;
    await mkdir(paths().root, { recursive: true });
    await writeFile(file, deadLetters(2));
    await appendFile(file, '{"messageId":"id-torn","body":"{\\"sym');
    const listed = await marketData(['dlq', 'list', '--queue', 'ticks'], env());
    expect(listed.code).toBe(0);
    expect(listed.stderr).toBe(`warning: ${file} line 3: torn last line (a write cut short by a crash or a full disk), skipped\n`);
    expect(listed.stdout).toContain('2 messages');
    const redriven = await marketData(['dlq', 'redrive', '--queue', 'ticks'], env());
    expect(redriven.code).toBe(0);
    expect(redriven.stdout).toContain(
      `SKIP  line 3 (unreadable line): ${file}.redrive: torn last line (a write cut short by a crash or a full disk), skipped`,
    );
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    const letters = lines.map((l) => JSON.parse(l) as TickDeadLetter);
    expect(letters.map(tickLetterId).sort()).toEqual(['id-0', 'id-1']);
    expect(letters.map((l) => l.origin?.line).sort()).toEqual([1, 2]);
    expect(await readFile(`${file}.unreadable`, 'utf8')).toContain(
      `torn last line (a write cut short by a crash or a full disk), skipped: line 3 of ${file}.redrive`,
    );
  });
});
