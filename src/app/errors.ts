/**
 * Errors of the calls the application makes to AWS (or to the endpoint the user named), told apart by kind so that
 * the callers can decide (stop at once on an unreachable endpoint, look again before blaming credentials) and the
 * command line can explain them. The explaining itself is the command line's.
 */

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH']);

/** The fields of a Node.js or SDK error that say where a request failed. */
export interface SdkLikeError {
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
export function networkErrorOf(error: unknown): SdkLikeError | undefined {
  const e = error as SdkLikeError | undefined;
  if (!e || typeof e !== 'object') return undefined;
  if (e.code && NETWORK_CODES.has(e.code)) return e;
  return e.errors?.map(networkErrorOf).find(Boolean) ?? networkErrorOf(e.cause);
}

/** True when the request never reached the service (refused, no route, unknown host): retrying soon will not help. */
export const isNetworkError = (error: unknown): boolean => networkErrorOf(error) !== undefined;

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

/** Which call failed: the service, the endpoint it was called at, and what the command was doing. */
export interface ServiceContext {
  readonly service?: string;
  /** The endpoint being called, for "cannot reach" messages. */
  readonly endpoint?: string;
  /** What stopped because of it, e.g. `publishing stopped`: said before the reason. */
  readonly stopped?: string;
}

/**
 * A call to a service failed: the SDK's (or the network's) error with the context needed to explain it. Its
 * message is the plain one; the command line describes `cause` with the context.
 */
export class ServiceError extends Error {
  override name = 'ServiceError';

  constructor(
    override readonly cause: unknown,
    readonly context: ServiceContext = {},
  ) {
    const plain = cause instanceof Error ? cause.message : String(cause);
    super(context.stopped ? `${context.stopped}: ${plain}` : plain, { cause });
  }
}
