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

/** The raw HTTP response the SDK keeps on an error it raised because it could not read the answer. */
interface RawResponse {
  readonly statusCode?: number;
  readonly headers?: Readonly<Record<string, string | undefined>>;
}

/**
 * The response of a call whose answer the SDK could not read as AWS's (an HTML error page, a proxy's answer, a
 * server that is not an AWS API): the error carries the raw response but no service fault, which every error an AWS
 * service sends has.
 */
export function unreadableResponseOf(error: unknown): RawResponse | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { $response?: unknown; $fault?: unknown };
  if (e.$fault !== undefined || typeof e.$response !== 'object' || e.$response === null) return undefined;
  return e.$response as RawResponse;
}

/**
 * An endpoint answered, but not in an AWS protocol: said in one line (service, endpoint, status, content type)
 * instead of the SDK's parse error and its hint about hidden fields.
 */
export class NonAwsResponseError extends Error {
  override name = 'NonAwsResponseError';

  constructor(service: string, endpoint: string, response: RawResponse, cause: unknown) {
    const type = Object.entries(response.headers ?? {})
      .find(([name]) => name.toLowerCase() === 'content-type')?.[1]
      ?.split(';')[0]
      ?.trim();
    super(
      `${service} at ${endpoint} answered HTTP ${response.statusCode ?? '(no status)'} with a non-AWS response (${type || 'no content type'}): ` +
        'the server there failed, or is not an AWS-compatible endpoint',
      { cause },
    );
  }
}
