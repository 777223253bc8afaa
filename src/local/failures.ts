import { DiskFullError } from './emulation/disk-space.js';
import { InputError } from './formats/input-file.js';
import { StoreInUseError } from './emulation/store-lock.js';

/** An error whose message already tells the user what is wrong and what to do; printed as it is. */
export class UserError extends Error {
  override name = 'UserError';
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH']);

interface SdkLikeError {
  name?: string;
  code?: string;
  message?: string;
  hostname?: string;
  address?: string;
  port?: number;
  syscall?: string;
  path?: string;
  errors?: SdkLikeError[];
  cause?: unknown;
}

/** The network error inside an SDK error (Node reports failed connects as AggregateError or with a cause). */
function networkError(error: unknown): SdkLikeError | undefined {
  const e = error as SdkLikeError | undefined;
  if (!e || typeof e !== 'object') return undefined;
  if (e.code && NETWORK_CODES.has(e.code)) return e;
  return e.errors?.map(networkError).find(Boolean) ?? networkError(e.cause);
}

/** True when the request never reached the service (refused, no route, unknown host): retrying soon will not help. */
export const isNetworkError = (error: unknown): boolean => networkError(error) !== undefined;

const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'ExpiredTokenException',
  'ExpiredToken',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'TokenRefreshRequired',
]);

/** True when the SDK found no credentials, or the service refused the ones it sent. */
export const isCredentialError = (error: unknown): boolean => CREDENTIAL_ERRORS.has((error as SdkLikeError | undefined)?.name ?? '');

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
  const where = e?.path ? `${e.syscall === 'open' || e.syscall === 'read' ? 'cannot open' : 'cannot write'} ${e.path}` : `${e?.syscall ?? 'a file operation'} failed`;
  return `${where}: ${meaning} (${e?.code})`;
}

export interface FailureContext {
  /** The endpoint being called, for "cannot reach" messages. */
  readonly endpoint?: string;
  readonly service?: string;
}

/** One actionable line for any failure: ours as they are, the SDK's, the network's and the file system's explained. */
export function describeFailure(error: unknown, context: FailureContext = {}): string {
  if (error instanceof UserError || error instanceof InputError || error instanceof StoreInUseError || error instanceof DiskFullError) return error.message;
  const net = networkError(error);
  if (net) {
    const target = context.endpoint ?? (net.hostname ?? (net.address ? `${net.address}:${net.port ?? ''}` : 'the endpoint'));
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
