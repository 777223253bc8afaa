import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { answers, freePort, isRunning, startMotoServer, stopMotoServer } from '../../../src/infra/moto/moto-server.js';
import { PROJECT_ROOT } from '../../../src/shared/project-root.js';

/** Starting and stopping moto_server, with a stand-in that behaves like it (test/support/fake-moto.mjs). */
describe('moto_server on a free loopback port', () => {
  let dir: string;
  let executable: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moto-server-'));
    executable = join(dir, 'moto_server');
    await writeFile(executable, `#!/bin/sh\nexec "${process.execPath}" "${join(PROJECT_ROOT, 'test/support/fake-moto.mjs')}" "$@"\n`);
    await chmod(executable, 0o755);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('starts, answers on 127.0.0.1, and stops with everything it started', { timeout: 60_000 }, async () => {
    const childPid = join(dir, 'child.pid');
    vi.stubEnv('FAKE_MOTO_CHILD_PID', childPid);
    const server = await startMotoServer({ executable, logFile: join(dir, 'moto.log') }).finally(() => vi.unstubAllEnvs());
    expect(server.endpoint).toBe(`http://127.0.0.1:${server.port}`);
    expect(await answers(server.endpoint)).toBe(true);
    const child = Number(readFileSync(childPid, 'utf8'));
    expect(isRunning(child)).toBe(true);
    await stopMotoServer(server);
    expect(await answers(server.endpoint)).toBe(false);
    expect(isRunning(server.pid)).toBe(false);
    expect(isRunning(child)).toBe(false);
  });

  it('says why when moto_server exits instead of answering, with the end of its log', { timeout: 60_000 }, async () => {
    vi.stubEnv('FAKE_MOTO_FAIL', '1');
    await expect(startMotoServer({ executable, logFile: join(dir, 'failing.log') }).finally(() => vi.unstubAllEnvs())).rejects.toThrow(
      /^moto_server exited \(code 1\) before answering at http:\/\/127\.0\.0\.1:\d+: .*Address already in use/,
    );
  });

  it('goes when the process that started it is killed, whatever kills it', { timeout: 60_000 }, async () => {
    const childPid = join(dir, 'orphan-child.pid');
    const starter = join(dir, 'starter.mts');
    const module = pathToFileURL(join(PROJECT_ROOT, 'src/infra/moto/moto-server.ts')).href;
    await writeFile(
      starter,
      `import { startMotoServer } from '${module}';\n` +
        `const s = await startMotoServer({ executable: ${JSON.stringify(executable)}, logFile: ${JSON.stringify(join(dir, 'orphan.log'))} });\n` +
        'console.log(s.endpoint);\nsetInterval(() => {}, 1000);\n',
    );
    const parent = spawn(process.execPath, ['--import', 'tsx', starter], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, FAKE_MOTO_CHILD_PID: childPid },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const endpoint = await new Promise<string>((resolve, reject) => {
      parent.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
      parent.once('exit', (code) => reject(new Error(`the starting process exited with ${code}`)));
    });
    expect(await answers(endpoint)).toBe(true);
    parent.kill('SIGKILL');
    for (let waited = 0; waited < 10_000 && (await answers(endpoint)); waited += 200) await new Promise((r) => setTimeout(r, 200));
    expect(await answers(endpoint)).toBe(false);
  });

  it('finds a port no one listens on', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(await answers(`http://127.0.0.1:${port}`)).toBe(false);
  });
});
