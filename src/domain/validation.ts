import { z } from 'zod';

/** Documented limits for every incoming market data message (see README, "Validation rules"). */
export const LIMITS = {
  /** A tick is a few dozen bytes; anything larger than this is not a tick. */
  maxMessageBytes: 4096,
  /** Upper bound for a price, bid or ask: larger values are fat-finger or unit errors. */
  maxPrice: 1_000_000_000,
  /** Lower bound for a positive price: below any traded instrument, far above what the stores could not hold. */
  minPrice: 1e-12,
  maxVolume: 1e15,
  /** Event times before this are rejected as mis-scaled (e.g. seconds instead of milliseconds). */
  minEventTime: Date.UTC(2000, 0, 1),
  /** Tolerated clock skew for event times in the future. */
  maxFutureSkewMs: 5 * 60 * 1000,
} as const;

/** Tickers: an uppercase letter, then up to 15 uppercase letters, digits, '.', '-' or '/' (BRK.B, BTC-USD, EUR/USD). */
export const SYMBOL_PATTERN = /^[A-Z][A-Z0-9./-]{0,15}$/;
const EXCHANGE_PATTERN = /^[A-Z0-9][A-Z0-9_.-]{0,15}$/;

export const symbolSchema = z
  .string({ error: 'must be a string' })
  .regex(SYMBOL_PATTERN, 'must be 1-16 characters: an uppercase letter, then uppercase letters, digits, ".", "-" or "/"');

export const exchangeSchema = z
  .string({ error: 'must be a string' })
  .regex(EXCHANGE_PATTERN, 'must be 1-16 uppercase letters, digits, "_", "." or "-"');

export const priceSchema = z
  .number({ error: 'must be a finite number' })
  .refine((n) => n > 0, 'must be greater than 0')
  .refine((n) => n <= 0 || n >= LIMITS.minPrice, `must be at least ${LIMITS.minPrice}`)
  .refine((n) => n <= LIMITS.maxPrice, `must be at most ${LIMITS.maxPrice}`);

export const volumeSchema = z
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .nonnegative('must not be negative')
  .max(LIMITS.maxVolume, `must be at most ${LIMITS.maxVolume}`);

/** ISO-8601 with an explicit offset, or epoch milliseconds. */
export const timestampSchema = z.union([z.iso.datetime({ offset: true, error: 'must be ISO-8601 with a time zone' }), z.number().int()], {
  error: 'must be an ISO-8601 string with a time zone or epoch milliseconds',
});

export type Result<T> = { ok: true; value: T } | { ok: false; reason: string };

/** One line a person can act on: every problem with the path of the field it concerns. */
export function describeIssues(error: z.ZodError, root?: string): string {
  return error.issues
    .map((issue) => {
      const segments = [...(root ? [root] : []), ...issue.path.map(String)];
      const path = segments.length > 0 ? segments.join('.') : 'message';
      const message = issue.code === 'unrecognized_keys' ? issue.message : issue.message.replace(/^Invalid input: /, '');
      return `${path}: ${message}`;
    })
    .join('; ');
}

/** Event time from an ISO string or epoch ms, checked against the documented window. */
export function eventTimeFrom(value: string | number, now: number): Result<number> {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms) || ms < LIMITS.minEventTime) {
    return { ok: false, reason: `timestamp: must be on or after 2000-01-01T00:00:00Z (got ${JSON.stringify(value)})` };
  }
  if (ms > now + LIMITS.maxFutureSkewMs) {
    return { ok: false, reason: `timestamp: is more than 5 minutes in the future (got ${JSON.stringify(value)})` };
  }
  return { ok: true, value: ms };
}

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** JSON.parse that reports rather than throws. */
export function parseJson(text: string): Result<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, reason: `body is not valid JSON (${(error as Error).message})` };
  }
}
