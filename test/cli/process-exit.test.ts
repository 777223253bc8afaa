import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EXIT_CODES, installProcessHandlers, printFailure, type ProcessLike } from '../../src/cli/process-exit.js';
import { Captured } from '../support/cli.js';

/** A process stand-in: its streams keep what is written, and exit records the code instead of ending anything. */
function fakeProcess() {
  const events = new EventEmitter();
  const exits: number[] = [];
  const proc = {
    stdout: new Captured(),
    stderr: new Captured(),
    on: (event: string, listener: (error?: unknown) => void) => events.on(event, listener),
    exit: (code: number) => void exits.push(code),
  } satisfies ProcessLike;
  return { proc, events, exits };
}

describe('process handlers', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('ends quietly with 141 when the reader of the output goes away, and with 1 on another stream error', () => {
    const { proc, exits } = fakeProcess();
    installProcessHandlers(proc);
    installProcessHandlers(proc); // once only
    proc.stdout.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(exits).toEqual([EXIT_CODES.pipeClosed]);
    expect(proc.stderr.text).toBe('');
    proc.stdout.emit('error', Object.assign(new Error('write EIO'), { code: 'EIO' }));
    expect(exits).toEqual([141, 1]);
    expect(proc.stderr.text).toBe('error: a file operation failed: input/output error: the disk may be failing (EIO)\n');
    proc.stderr.emit('error', Object.assign(new Error('stderr gone'), { code: 'EBADF' }));
    expect(exits).toEqual([141, 1, 1]);
    expect(proc.stderr.text).toBe('error: a file operation failed: input/output error: the disk may be failing (EIO)\n');
  });

  it('ends with 130 on an interrupt, and an error nothing caught is one line and exit code 1', () => {
    const { proc, events, exits } = fakeProcess();
    installProcessHandlers(proc);
    events.emit('SIGINT');
    events.emit('SIGTERM');
    events.emit('uncaughtException', new Error('boom'));
    events.emit('unhandledRejection', 'rejected');
    expect(exits).toEqual([130, 130, 1, 1]);
    expect(proc.stderr.text).toBe('error: boom\nerror: rejected\n');
  });

  it('adds the stack trace with MARKET_DATA_DEBUG, never with MARKET_DATA_DEBUG=0', () => {
    const stream = new Captured();
    vi.stubEnv('MARKET_DATA_DEBUG', '0');
    printFailure(new Error('plain'), stream);
    expect(stream.text).toBe('error: plain\n');
    vi.stubEnv('MARKET_DATA_DEBUG', '1');
    printFailure(new Error('traced'), stream);
    expect(stream.text).toMatch(/^error: plain\nerror: traced\nError: traced\n {4}at /);
  });
});
