/** Runs a command as a user would (its own process, start-up included) and measures it. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PROJECT_ROOT } from '../src/shared/project-root.js';

// GNU time reports the child's peak resident set size and CPU seconds; without it only wall time is measured.
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

export interface Timed {
  readonly seconds: number;
  readonly stdout: string;
  readonly cpuSeconds?: number;
  readonly maxRssMb?: number;
}

/** Wall seconds, and with GNU time CPU seconds and peak memory; rejects with the command's stderr when it fails. */
export function timedProcess(command: string, args: string[], env: Record<string, string>): Promise<Timed> {
  const [file, argv] = GNU_TIME ? [GNU_TIME, ['-f', 'BENCH_TIME=%M %U %S', command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, argv, { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) return reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr}`));
      const timing = /BENCH_TIME=(\d+) ([\d.]+) ([\d.]+)/.exec(stderr);
      resolve({
        seconds,
        stdout,
        ...(timing && { maxRssMb: Number(timing[1]) / 1024, cpuSeconds: Number(timing[2]) + Number(timing[3]) }),
      });
    });
  });
}
