import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Run a command as a user would, from the project root, with the given environment on top of a clean one: no AWS
 * settings leak in from the machine running the tests.
 */
export function run(command: string, args: readonly string[], env: Record<string, string>, timeoutMs = 60_000): Promise<RunResult> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_') && key !== 'ENVIRONMENT_SUFFIX' && !key.startsWith('POWERTOOLS_')));
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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

/** `market-data …` through the package's bin, exactly as `npx market-data` runs it. */
export const marketData = (args: readonly string[], env: Record<string, string>, timeoutMs?: number) => run(process.execPath, ['bin/market-data.js', ...args], env, timeoutMs);

/** A clean environment for a spawned command: the machine's AWS and pipeline settings left out. */
export function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_') && key !== 'ENVIRONMENT_SUFFIX' && !key.startsWith('POWERTOOLS_')));
  return { ...base, ...env };
}

/** Start `market-data …` without waiting for it, for tests that kill it or run many at once. */
export const startMarketData = (args: readonly string[], env: Record<string, string>) =>
  spawn(process.execPath, ['bin/market-data.js', ...args], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
