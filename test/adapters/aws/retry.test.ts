import { describe, expect, it, vi } from 'vitest';
import { fullJitter, isContentRejection, isRetryable, isolatingRejections, retryCall, retryPending } from '../../../src/adapters/aws/index.js';
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
    expect(step.mock.calls.map((c) => c[0])).toEqual([
      [1, 2, 3],
      [2, 3],
      [2, 3],
    ]);
    expect(sleep).toHaveBeenCalledTimes(2);
  });

  it('stops at once on an error that is not retryable', async () => {
    const refusal = Object.assign(new Error('bad key'), { name: 'ValidationException' });
    const step = vi.fn().mockRejectedValue(refusal);
    expect(await retryPending([1], step, forever, NO_WAIT)).toEqual({ remaining: [1], reason: 'ValidationException: bad key', error: refusal });
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

describe('isolatingRejections', () => {
  const refusal = () => Object.assign(new Error('refused'), { name: 'ValidationException' });

  it('halves a refused batch until only the refused items are left, each with its reason', async () => {
    const parts: number[][] = [];
    const attempt = async (part: readonly number[]) => {
      parts.push([...part]);
      return part.includes(3) || part.includes(6) ? { remaining: part, reason: 'ValidationException: refused', error: refusal() } : { remaining: [] };
    };
    expect(await isolatingRejections([1, 2, 3, 4, 5, 6, 7], attempt)).toEqual([
      { item: 3, reason: 'ValidationException: refused' },
      { item: 6, reason: 'ValidationException: refused' },
    ]);
    expect(parts[0]).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(parts).toContainEqual([3]);
    expect(parts).toContainEqual([6]);
  });

  it('does not split what failed for another reason (throttling, the time budget)', async () => {
    const attempt = vi.fn(async (part: readonly number[]) => ({ remaining: part, reason: 'time budget exhausted' }));
    expect(await isolatingRejections([1, 2], attempt)).toEqual([
      { item: 1, reason: 'time budget exhausted' },
      { item: 2, reason: 'time budget exhausted' },
    ]);
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it('knows the errors that refuse a request for its content', () => {
    expect(
      ['ValidationException', 'InvalidParameterException', 'InvalidParameterValueException', 'BatchRequestTooLongException'].map((name) =>
        isContentRejection({ name }),
      ),
    ).toEqual([true, true, true, true]);
    expect(isContentRejection({ name: 'ThrottlingException' })).toBe(false);
    expect(isContentRejection(undefined)).toBe(false);
  });
});
