import { ServiceError, isCredentialError, networkErrorOf, type SdkLikeError, type ServiceContext } from '../app/errors.js';
import { UserError } from '../shared/user-error.js';

/** What a file-system error code means, and what the user can do about it. */
const FILE_ERRORS: Readonly<Record<string, string>> = {
  ENOSPC: 'the disk is full: free some space and run the command again',
  EDQUOT: 'the disk quota is used up: free some space and run the command again',
  EACCES: 'permission denied: check the owner and mode of the file and its folder',
  EPERM: 'operation not permitted: check the owner and mode of the file and its folder',
  EROFS: 'the file system is read-only',
  ENOENT: 'no such file or folder',
  EISDIR: 'it is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  EMFILE: 'too many open files: raise the limit (ulimit -n) or close other programs',
  ENFILE: 'too many open files on this system',
  EIO: 'input/output error: the disk may be failing',
  EFBIG: 'the file is too large for this file system',
  ENAMETOOLONG: 'the path is too long',
};

/** A file-system error (it has an errno code we know), described with its path. */
function fileError(error: unknown): string | undefined {
  const e = error as SdkLikeError | undefined;
  const meaning = e?.code ? FILE_ERRORS[e.code] : undefined;
  if (!meaning) return undefined;
  const where = e?.path
    ? `${e.syscall === 'open' || e.syscall === 'read' ? 'cannot open' : 'cannot write'} ${e.path}`
    : `${e?.syscall ?? 'a file operation'} failed`;
  return `${where}: ${meaning} (${e?.code})`;
}

/** One actionable line for any failure: ours as they are, the SDK's, the network's and the file system's explained. */
export function describeFailure(error: unknown, context: ServiceContext = {}): string {
  if (error instanceof ServiceError) {
    const described = describeFailure(error.cause, { ...error.context, ...context });
    return error.context.stopped ? `${error.context.stopped}: ${described}` : described;
  }
  if (error instanceof UserError) return error.message;
  const net = networkErrorOf(error);
  if (net) {
    const target = context.endpoint ?? net.hostname ?? (net.address ? `${net.address}:${net.port ?? ''}` : 'the endpoint');
    return (
      `cannot reach ${context.service ?? 'the service'} at ${target} (${net.code}): check the endpoint ` +
      '(AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>, --endpoint), the region (AWS_REGION) and your network'
    );
  }
  const e = error as SdkLikeError;
  if (isCredentialError(error)) {
    return `AWS rejected or could not find credentials (${e.message ?? e.name}): configure them as for the AWS CLI (AWS_PROFILE, aws sso login, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)`;
  }
  const file = fileError(error);
  if (file) return file;
  if (error instanceof Error) return error.message;
  return String(error);
}
