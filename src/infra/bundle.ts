import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Construct } from 'constructs';
import { AssetType, TerraformAsset } from 'cdktn';
import { PROJECT_ROOT } from '../shared/project-root.js';

const BUNDLE_ENTRY = 'index.mjs';

/** Zips a handler bundle directory (built by `npm run build`) into the stack's assets; bundle paths are relative to the project root. */
export function lambdaBundle(scope: Construct, id: string, bundleDir: string, root: string = PROJECT_ROOT): TerraformAsset {
  const path = resolve(root, bundleDir);
  if (!existsSync(join(path, BUNDLE_ENTRY))) {
    throw new Error(`Lambda bundle ${join(path, BUNDLE_ENTRY)} is missing: run \`npm run build\` before synthesizing the stack.`);
  }
  return new TerraformAsset(scope, id, { path, type: AssetType.ARCHIVE });
}
