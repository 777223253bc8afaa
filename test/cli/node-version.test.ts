import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { COMMAND_TIMEOUT_MS, SLOW_TEST_TIMEOUT_MS } from '../support/timeouts.js';

const exec = promisify(execFile);

/** Run scripts/check-node.cjs as if on another Node.js version (a preloaded module changes process.versions). */
async function checkAs(version: string): Promise<{ code: number; stderr: string }> {
  const preload = join(mkdtempSync(join(tmpdir(), 'node-version-')), 'pretend.cjs');
  writeFileSync(preload, `Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '${version}' } });\n`);
  try {
    await exec(process.execPath, ['--require', preload, 'scripts/check-node.cjs'], { timeout: COMMAND_TIMEOUT_MS });
    return { code: 0, stderr: '' };
  } catch (error) {
    const e = error as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

describe('the Node.js version', { timeout: SLOW_TEST_TIMEOUT_MS }, () => {
  it('package.json names the real minimum, and npm start and npm test check it first', async () => {
    const pkg = JSON.parse(await readFile('package.json', 'utf8')) as {
      engines: { node: string };
      scripts: Record<string, string>;
      allowScripts: Record<string, boolean>;
    };
    expect(pkg.engines.node).toBe('>=22.19.0');
    expect(pkg.scripts.start).toMatch(/^node scripts\/check-node\.cjs && /);
    expect(pkg.scripts.test).toMatch(/^node scripts\/check-node\.cjs && /);
    expect(pkg.allowScripts).toEqual({ esbuild: true, 'classic-level': true });
  });

  it('npm start and npm test stop on an older Node.js with one clear line', async () => {
    expect(await checkAs('20.20.2')).toEqual({
      code: 1,
      stderr:
        'error: Node.js 20.20.2 is too old for this project: it needs Node.js 22.19.0 or newer. Run npm ci (on an older Node.js it fetches Node.js 24 from the npm registry for npm start, npm test and npx market-data) and use those commands, or install Node.js 24 LTS\n',
    });
    expect((await checkAs('22.18.9')).code).toBe(1);
    expect(await checkAs('22.19.0')).toEqual({ code: 0, stderr: '' });
    expect(await checkAs('24.1.0')).toEqual({ code: 0, stderr: '' });
  });
});
