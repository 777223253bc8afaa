import { mkdir, mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMirror, findTools, mirrorVersions, missingFor, platform } from '../../../src/infra/moto/tools.js';

describe('finding terraform, the provider mirror and moto_server', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'moto-tools-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  const provider = (mirror: string) => join(mirror, 'registry.terraform.io', 'hashicorp', 'aws');

  it('reads the versions a mirror holds for this platform, unpacked or packed, newest first', async () => {
    const mirror = join(root, 'both');
    await mkdir(join(provider(mirror), '5.9.0', platform()), { recursive: true });
    await mkdir(join(provider(mirror), '5.100.0', platform()), { recursive: true });
    await mkdir(join(provider(mirror), '6.0.0', 'windows_386'), { recursive: true });
    await writeFile(join(provider(mirror), `terraform-provider-aws_5.80.1_${platform()}.zip`), '');
    await writeFile(join(provider(mirror), 'terraform-provider-aws_6.1.0_windows_386.zip'), '');
    expect(mirrorVersions(mirror)).toEqual(['5.100.0', '5.80.1', '5.9.0']);
    expect(mirrorVersions(join(root, 'nothing'))).toEqual([]);
  });

  it('takes TF_PLUGIN_MIRROR, and only it, when it is set', async () => {
    const mirror = join(root, 'named');
    await mkdir(join(provider(mirror), '5.1.0', platform()), { recursive: true });
    expect(findMirror({ TF_PLUGIN_MIRROR: mirror })).toEqual({ path: mirror, versions: ['5.1.0'] });
    expect(findMirror({ TF_PLUGIN_MIRROR: join(root, 'empty') })).toBeUndefined();
  });

  it('names each missing tool and what to do about it', async () => {
    const bin = join(root, 'bin');
    await mkdir(bin);
    const tools = findTools({ PATH: bin, TF_PLUGIN_MIRROR: join(root, 'empty') });
    expect(missingFor(tools, 'terraform', 'mirror', 'motoServer')).toEqual([
      'no terraform on PATH (install Terraform 1.5 or newer, or name the binary with TERRAFORM_BINARY)',
      `no hashicorp/aws provider for ${platform()} in TF_PLUGIN_MIRROR (${join(root, 'empty')}): put one there (terraform providers mirror <dir>) or set TF_PLUGIN_MIRROR`,
      'no runnable moto_server (pip install "moto[server]", or name it with MOTO_SERVER)',
    ]);
  });

  it('finds executables on PATH, and takes moto_server only if it runs', async () => {
    const bin = join(root, 'bin2');
    await mkdir(bin);
    for (const [name, body] of [
      ['terraform', 'exit 0'],
      ['moto_server', 'exit 1'],
    ]) {
      await writeFile(join(bin, name!), `#!/bin/sh\n${body}\n`);
      await chmod(join(bin, name!), 0o755);
    }
    const broken = findTools({ PATH: bin });
    expect(broken.terraform).toBe(join(bin, 'terraform'));
    expect(broken.motoServer).toBeUndefined();
    await writeFile(join(bin, 'moto_server'), '#!/bin/sh\nexit 0\n');
    expect(findTools({ PATH: bin }).motoServer).toBe(join(bin, 'moto_server'));
    expect(missingFor(findTools({ PATH: bin }), 'terraform', 'motoServer')).toEqual([]);
  });
});
