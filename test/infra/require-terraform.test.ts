import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/shared/project-root.js';

const SCRIPT = join(PROJECT_ROOT, 'scripts', 'require-terraform.mjs');

/** A PATH holding only fake executables of the given names, and a HOME without ~/.aws. */
function sandbox(binaries: string[]) {
  const root = mkdtempSync(join(tmpdir(), 'require-terraform-'));
  const bin = join(root, 'bin');
  mkdirSync(bin);
  for (const name of binaries) {
    writeFileSync(join(bin, name), '#!/bin/sh\n');
    chmodSync(join(bin, name), 0o755);
  }
  return { PATH: bin, HOME: join(root, 'home') };
}

function run(binaries: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [SCRIPT], { env: { ...sandbox(binaries), ...env }, encoding: 'utf8' });
}

const credentials = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example' };

describe('scripts/require-terraform.mjs', () => {
  it('passes with terraform and credentials', () => {
    expect(run(['terraform'], credentials).status).toBe(0);
  });

  it('passes with OpenTofu selected through TERRAFORM_BINARY_NAME and a profile', () => {
    expect(run(['tofu'], { TERRAFORM_BINARY_NAME: 'tofu', AWS_PROFILE: 'trading' }).status).toBe(0);
  });

  it('tells the user to select OpenTofu when only tofu is installed', () => {
    const { status, stderr } = run(['tofu'], credentials);
    expect(status).toBe(1);
    expect(stderr).toContain('TERRAFORM_BINARY_NAME=tofu');
  });

  it('names every missing prerequisite', () => {
    const { status, stderr } = run([]);
    expect(status).toBe(1);
    expect(stderr).toContain('`terraform` was not found on PATH');
    expect(stderr).toContain('No AWS credentials found');
  });

  it('accepts credentials from a shared credentials file', () => {
    const env = sandbox(['terraform']);
    const file = join(env.HOME, '.aws', 'credentials');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, '[default]\n');
    expect(spawnSync(process.execPath, [SCRIPT], { env, encoding: 'utf8' }).status).toBe(0);
  });
});
