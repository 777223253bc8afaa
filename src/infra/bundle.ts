import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Construct } from 'constructs';
import { AssetType, TerraformAsset } from 'cdktn';

/** The repository root: bundle paths in src/resources are relative to it, whatever the working directory. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const BUNDLE_ENTRY = 'index.mjs';

/** Zips a handler bundle directory (built by `npm run build`) into the stack's assets. */
export function lambdaBundle(scope: Construct, id: string, bundleDir: string, root: string = PROJECT_ROOT): TerraformAsset {
  const path = resolve(root, bundleDir);
  if (!existsSync(join(path, BUNDLE_ENTRY))) {
    throw new Error(`Lambda bundle ${join(path, BUNDLE_ENTRY)} is missing: run \`npm run build\` before synthesizing the stack.`);
  }
  return new TerraformAsset(scope, id, { path, type: AssetType.ARCHIVE });
}
