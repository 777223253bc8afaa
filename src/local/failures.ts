import { InputError } from './input-file.js';
import { StoreInUseError } from './store-lock.js';

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

export interface FailureContext {
  /** The endpoint being called, for "cannot reach" messages. */
  readonly endpoint?: string;
  readonly service?: string;
}

/** One actionable line for any failure: ours as they are, the SDK's and the network's explained. */
export function describeFailure(error: unknown, context: FailureContext = {}): string {
  if (error instanceof UserError || error instanceof InputError || error instanceof StoreInUseError) return error.message;
  const net = networkError(error);
  if (net) {
    const target = context.endpoint ?? (net.hostname ?? (net.address ? `${net.address}:${net.port ?? ''}` : 'the endpoint'));
    return (
      `cannot reach ${context.service ?? 'the service'} at ${target} (${net.code}): check the endpoint ` +
      '(AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>, --endpoint), the region (AWS_REGION) and your network'
    );
  }
  const e = error as SdkLikeError;
  if (e?.name === 'CredentialsProviderError' || e?.name === 'ExpiredTokenException' || e?.name === 'UnrecognizedClientException') {
    return `AWS rejected or could not find credentials (${e.message ?? e.name}): configure them as for the AWS CLI (AWS_PROFILE, aws sso login, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)`;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
