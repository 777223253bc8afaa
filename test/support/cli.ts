import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { PassThrough, Readable, Writable } from 'node:stream';
import type { CommandIO } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/program.js';
import { PROJECT_ROOT } from '../../src/shared/project-root.js';
import { COMMAND_TIMEOUT_MS } from './timeouts.js';

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Settings of the machine running the tests that must not leak into a command: its AWS configuration and environment. */
const leaks = (key: string): boolean => key.startsWith('AWS_') || key === 'ENVIRONMENT_SUFFIX';

/** A clean environment for a spawned command: the machine's AWS and pipeline settings left out. */
export function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !leaks(key) && !key.startsWith('POWERTOOLS_')));
  return { ...base, ...env };
}

/**
 * Run a command as a user would, from the project root, with the given environment on top of a clean one: no AWS
 * settings leak in from the machine running the tests. A command still running after `timeoutMs` is killed (its
 * code is then null), so a hang fails the test with what the command printed.
 */
export function run(command: string, args: readonly string[], env: Record<string, string>, timeoutMs = COMMAND_TIMEOUT_MS): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: PROJECT_ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `market-data …` as a process, through the package's bin, exactly as `npx market-data` runs it. */
export const spawnMarketData = (args: readonly string[], env: Record<string, string>, timeoutMs?: number) =>
  run(process.execPath, ['bin/market-data.js', ...args], env, timeoutMs);

/**
 * Start `market-data …` as a process without waiting for it, for tests that kill it or run many at once. One that is
 * still running after COMMAND_TIMEOUT_MS is killed, before its test's own hang guard gives up.
 */
export function startMarketData(args: readonly string[], env: Record<string, string>): ChildProcessByStdio<null, Readable, Readable> {
  const child = spawn(process.execPath, ['bin/market-data.js', ...args], {
    cwd: PROJECT_ROOT,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), COMMAND_TIMEOUT_MS).unref();
  child.once('close', () => clearTimeout(timer));
  return child;
}

/** A stream that keeps what is written to it (not a terminal: no colour, no progress bar unless asked for). */
export class Captured extends Writable {
  text = '';

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** Run one command in this process with `env` as its environment's settings, then put the environment back. */
async function inProcess(args: readonly string[], env: Record<string, string>, io: Partial<CommandIO> = {}): Promise<RunResult> {
  const saved = { ...process.env };
  for (const key of Object.keys(process.env)) if (leaks(key)) delete process.env[key];
  Object.assign(process.env, env);
  const stdout = new Captured();
  const stderr = new Captured();
  try {
    const code = await runCli([process.execPath, 'market-data', ...args], { stdout, stderr, stdin: Readable.from([]), ...io });
    return { code, stdout: stdout.text, stderr: (io.stderr as Captured | undefined)?.text ?? stderr.text };
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * `market-data …` in this process (runCli with captured output and an environment of its own), as `npx
 * market-data` would run it with that environment and no terminal. Calls run one after another, since each sets
 * the process's environment. What only a process shows (signals, closed pipes, locks between processes, a
 * terminal) is tested with spawnMarketData and startMarketData.
 */
export function marketData(args: readonly string[], env: Record<string, string>): Promise<RunResult> {
  return queued(() => inProcess(args, env));
}

function queued(run: () => Promise<RunResult>): Promise<RunResult> {
  const result = queue.then(run);
  queue = result.catch(() => undefined);
  return result;
}

/**
 * `market-data …` in this process at a terminal: standard input and error are a terminal's, and `answer` is typed
 * once the command asks its question (a line ending in `[y/N] `).
 */
export function marketDataAtTerminal(args: readonly string[], env: Record<string, string>, answer: string): Promise<RunResult> {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  const stderr = new (class extends Captured {
    override _write(chunk: Buffer | string, encoding: BufferEncoding, done: () => void): void {
      super._write(chunk, encoding, done);
      if (this.text.endsWith('[y/N] ')) stdin.end(answer);
    }
  })();
  return queued(() => inProcess(args, env, { stdin, stderr }));
}
