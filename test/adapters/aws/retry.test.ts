import { describe, expect, it, vi } from 'vitest';
import { fullJitter, isRetryable, retryCall, retryPending } from '../../../src/adapters/aws/index.js';
import { NO_WAIT, expired, forever } from '../../support/fakes.js';

const throttled = () => Object.assign(new Error('slow down'), { name: 'ThrottlingException' });

describe('backoff', () => {
  it('draws full-jitter delays below an exponentially growing, capped ceiling', () => {
    const at = (attempt: number, random: number) => fullJitter(attempt, { ...NO_WAIT, baseMs: 50, capMs: 5000, random: () => random });
    expect([0, 1, 2, 3].map((a) => at(a, 0.999))).toEqual([49, 99, 199, 399]);
    expect(at(20, 0.999)).toBe(4995);
    expect(at(5, 0)).toBe(0);
  });

  it('knows which errors are worth retrying', () => {
    expect(isRetryable(throttled())).toBe(true);
    expect(isRetryable(Object.assign(new Error(), { name: 'ProvisionedThroughputExceededException' }))).toBe(true);
    expect(isRetryable(Object.assign(new Error(), { $metadata: { httpStatusCode: 503 } }))).toBe(true);
    expect(isRetryable(Object.assign(new Error(), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryable(Object.assign(new Error(), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } }))).toBe(false);
    expect(isRetryable('boom')).toBe(false);
  });
});

describe('retryPending', () => {
  it('retries what is left until nothing is', async () => {
    const step = vi.fn().mockResolvedValueOnce([2, 3]).mockRejectedValueOnce(throttled()).mockResolvedValueOnce([]);
    const sleep = vi.fn(async () => {});
    expect(await retryPending([1, 2, 3], step, forever, { ...NO_WAIT, sleep })).toEqual({ remaining: [] });
    expect(step.mock.calls.map((c) => c[0])).toEqual([[1, 2, 3], [2, 3], [2, 3]]);
    expect(sleep).toHaveBeenCalledTimes(2);
  });

  it('stops at once on an error that is not retryable', async () => {
    const step = vi.fn().mockRejectedValue(Object.assign(new Error('bad key'), { name: 'ValidationException' }));
    expect(await retryPending([1], step, forever, NO_WAIT)).toEqual({ remaining: [1], reason: 'ValidationException: bad key' });
    expect(step).toHaveBeenCalledTimes(1);
  });

  it('reports what is left when the time budget runs out', async () => {
    const step = vi.fn().mockResolvedValue([1]);
    expect(await retryPending([1], step, expired, NO_WAIT)).toEqual({
      remaining: [1],
      reason: '1 item(s) still unprocessed after 1 attempt(s); time budget exhausted',
    });
  });
});

describe('retryCall', () => {
  it('returns the first success and rethrows the last error when out of time', async () => {
    const call = vi.fn().mockRejectedValueOnce(throttled()).mockResolvedValueOnce('ok');
    expect(await retryCall(call, forever, NO_WAIT)).toBe('ok');
    await expect(retryCall(() => Promise.reject(throttled()), expired, NO_WAIT)).rejects.toThrow('slow down');
  });
});
