import { describeError } from '../../pipeline/errors.js';
import type { Deadline } from '../../pipeline/ports.js';

/** Errors worth another attempt: throttling, capacity and transient service or network faults. */
const RETRYABLE_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'KMSThrottlingException',
  'InternalServerError',
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
]);

export function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: string; code?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  return (
    RETRYABLE_NAMES.has(e.name ?? '') || RETRYABLE_NAMES.has(e.code ?? '') || e.$retryable !== undefined || (e.$metadata?.httpStatusCode ?? 0) >= 500
  );
}

export interface BackoffOptions {
  readonly baseMs: number;
  readonly capMs: number;
  readonly random: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  baseMs: 50,
  capMs: 5_000,
  random: Math.random,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Full jitter: a uniform delay in [0, min(cap, base × 2^attempt)). */
export const fullJitter = (attempt: number, options: BackoffOptions): number =>
  Math.floor(options.random() * Math.min(options.capMs, options.baseMs * 2 ** attempt));

export interface Leftover<T> {
  /** Items still not done when retries stopped (empty on success). */
  readonly remaining: readonly T[];
  /** Why they are not done. */
  readonly reason?: string;
  /** The error that stopped the retries, when one did. */
  readonly error?: unknown;
}

/** Errors with which a service refuses a request for what it contains (a value it cannot store, a batch too long). */
const CONTENT_REJECTIONS = new Set([
  'ValidationException',
  'InvalidParameterException',
  'InvalidParameterValueException',
  'BatchRequestTooLongException',
]);

export const isContentRejection = (error: unknown): boolean => CONTENT_REJECTIONS.has((error as { name?: string } | undefined)?.name ?? '');

/**
 * Batch calls fail as a whole when one item is refused. Split a refused batch and try the halves, so that only the
 * items the service really refuses are left, each with the reason; everything else goes through.
 */
export async function isolatingRejections<T>(
  items: readonly T[],
  attempt: (part: readonly T[]) => Promise<Leftover<T>>,
): Promise<{ item: T; reason: string }[]> {
  const leftover = await attempt(items);
  if (leftover.remaining.length === 0) return [];
  if (leftover.remaining.length > 1 && isContentRejection(leftover.error)) {
    const half = Math.ceil(leftover.remaining.length / 2);
    const parts = [leftover.remaining.slice(0, half), leftover.remaining.slice(half)];
    return (await Promise.all(parts.map((part) => isolatingRejections(part, attempt)))).flat();
  }
  return leftover.remaining.map((item) => ({ item, reason: leftover.reason ?? 'not done' }));
}

/**
 * A signal that cuts the call off when the time budget runs out: with one SDK attempt per call, nothing a stalled
 * connection does can outlive the budget.
 */
const budgetSignal = (deadline: Deadline): AbortSignal => AbortSignal.timeout(Math.max(1, Math.floor(deadline.remainingMs())));

const reasonOf = (error: unknown, signal: AbortSignal): string =>
  signal.aborted ? `${describeError(error)} (cut off: time budget exhausted)` : describeError(error);

/**
 * Run `step` on the pending items until none are left. `step` returns what it could not finish (unprocessed batch
 * items, failed publish entries); a retryable error leaves everything pending. Between attempts it backs off with
 * full jitter, and stops when the next wait would not fit in the deadline. Non-retryable errors stop at once. Each
 * attempt gets a signal to pass to the SDK call, aborting it when the deadline passes.
 */
export async function retryPending<T>(
  items: readonly T[],
  step: (pending: readonly T[], signal: AbortSignal) => Promise<readonly T[]>,
  deadline: Deadline,
  options: BackoffOptions = DEFAULT_BACKOFF,
): Promise<Leftover<T>> {
  let pending = items;
  let reason = 'not attempted';
  for (let attempt = 0; pending.length > 0; attempt++) {
    const signal = budgetSignal(deadline);
    try {
      const left = await step(pending, signal);
      if (left.length > 0) reason = `${left.length} item(s) still unprocessed after ${attempt + 1} attempt(s)`;
      pending = left;
    } catch (error) {
      reason = reasonOf(error, signal);
      if (signal.aborted || !isRetryable(error)) return { remaining: pending, reason, error };
    }
    if (pending.length === 0) break;
    const delay = fullJitter(attempt, options);
    if (deadline.remainingMs() <= delay) return { remaining: pending, reason: `${reason}; time budget exhausted` };
    await options.sleep(delay);
  }
  return { remaining: [] };
}

/** A single call with the same retry policy; rethrows the last error when it does not succeed in time. */
export async function retryCall<R>(
  call: (signal: AbortSignal) => Promise<R>,
  deadline: Deadline,
  options: BackoffOptions = DEFAULT_BACKOFF,
): Promise<R> {
  for (let attempt = 0; ; attempt++) {
    const signal = budgetSignal(deadline);
    try {
      return await call(signal);
    } catch (error) {
      const delay = fullJitter(attempt, options);
      if (signal.aborted) throw new Error(reasonOf(error, signal), { cause: error });
      if (!isRetryable(error) || deadline.remainingMs() <= delay) throw error;
      await options.sleep(delay);
    }
  }
}
