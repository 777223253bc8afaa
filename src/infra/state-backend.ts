import { posix } from 'node:path';
import { LocalBackend, S3Backend, type TerraformStack } from 'cdktn';
import { localStateFile, type StateBackend } from './config.js';

/**
 * The local state file as Terraform finds it: cdktn (and `npm run deploy`) run Terraform in the stack's folder,
 * `cdktf.out/stacks/{id}` (the manifest's workingDirectory; cdktf.json's output), so the project root is three levels
 * up. Relative, so that the synthesized JSON names no checkout and the stack folder can be moved along with it.
 */
function localStatePath(id: string): string {
  return posix.join('..', '..', '..', localStateFile(id));
}

/** Declares where the stack's state lives (StackConfig.stateBackend). */
export function declareStateBackend(stack: TerraformStack, id: string, backend: StateBackend): void {
  if (backend.kind === 'local') {
    new LocalBackend(stack, { path: localStatePath(id) });
    return;
  }
  const { bucket, key, region, kmsKeyId, dynamodbTable } = backend;
  new S3Backend(stack, { bucket, key, region, encrypt: true, ...(kmsKeyId && { kmsKeyId }), ...(dynamodbTable && { dynamodbTable }) });
}
