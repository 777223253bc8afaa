/**
 * moto_server on 127.0.0.1 at a free port, in a process group of its own so that stopping it stops everything it
 * started. Its state is in memory: it lives as long as the process does.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface MotoServer {
  readonly pid: number;
  readonly port: number;
  /** http://127.0.0.1:<port>: every service the stack uses answers here. */
  readonly endpoint: string;
}

export interface StartOptions {
  /** The moto_server executable (found by findTools). */
  readonly executable: string;
  /** File that receives moto's output. */
  readonly logFile: string;
  /** Keep running after this process exits (npm run deploy:local); otherwise it is stopped when this process exits. */
  readonly outliveParent?: boolean;
  readonly startTimeoutMs?: number;
}

/** A port no one listens on now (the kernel's choice): moto_server takes a port number, not a listening socket. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port assigned'))));
    });
  });
}

/** True when moto's own API answers at the endpoint. */
export async function answers(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Runs "$0" "$@" and kills it when standard input reaches its end; exits with its status. (A background job's
 * standard input is /dev/null unless redirected: the shell's own is kept as fd 3 for the watcher.)
 */
const TIED = 'exec 3<&0; "$0" "$@" </dev/null & pid=$!; (read -r _ <&3; kill $pid 2>/dev/null) & wait $pid';

const exitCleanups = new Map<number, () => void>();
process.once('exit', () => {
  for (const cleanup of exitCleanups.values()) cleanup();
});

/** Whether a process is still there (signal 0 tests, it sends nothing). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const killGroup = (pid: number, signal: NodeJS.Signals) => {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
};

/** Start moto_server and wait until it answers; a port taken in between is tried again with another. */
export async function startMotoServer(options: StartOptions): Promise<MotoServer> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await startAt(port, options);
    } catch (error) {
      lastError = error as Error;
    }
  }
  throw lastError!;
}

async function startAt(port: number, options: StartOptions): Promise<MotoServer> {
  const endpoint = `http://127.0.0.1:${port}`;
  const log = openSync(options.logFile, 'a', 0o600);
  const args = ['-H', '127.0.0.1', '-p', String(port)];
  // Tied to this process unless it is to outlive it: a shell runs moto_server and stops it when this process's end of
  // its standard input closes, which the kernel does however this process ends (a test runner killing its worker).
  const child = options.outliveParent
    ? spawn(options.executable, args, { detached: true, stdio: ['ignore', log, log] })
    : spawn('/bin/sh', ['-c', TIED, options.executable, ...args], { detached: true, stdio: ['pipe', log, log] });
  closeSync(log);
  const pid = child.pid;
  if (pid === undefined) {
    await new Promise((resolve) => child.once('error', resolve));
    throw new Error(`could not start ${options.executable}`);
  }
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  if (options.outliveParent) child.unref();
  else exitCleanups.set(pid, () => killGroup(pid, 'SIGKILL'));
  const server = { pid, port, endpoint };
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (exited !== undefined) break;
    if (await answers(endpoint)) return server;
    await sleep(200);
  }
  await stopMotoServer(server);
  const tail = readFileSync(options.logFile, 'utf8').trim().split('\n').slice(-5).join(' | ');
  throw new Error(
    exited !== undefined
      ? `moto_server exited (code ${exited}) before answering at ${endpoint}: ${tail}`
      : `moto_server did not answer at ${endpoint} within ${(options.startTimeoutMs ?? 60_000) / 1000} s: ${tail}`,
  );
}

/** Whether any process of the group is still there. */
const groupRunning = (pid: number): boolean => isRunning(-pid);

/** Stop moto_server and whatever it started: SIGTERM to its process group, SIGKILL to what is left after 5 s. */
export async function stopMotoServer(server: Pick<MotoServer, 'pid'>): Promise<void> {
  exitCleanups.delete(server.pid);
  killGroup(server.pid, 'SIGTERM');
  for (let waited = 0; waited < 5_000 && groupRunning(server.pid); waited += 100) await sleep(100);
  if (!groupRunning(server.pid)) return;
  killGroup(server.pid, 'SIGKILL');
  for (let waited = 0; waited < 2_000 && groupRunning(server.pid); waited += 100) await sleep(100);
}
