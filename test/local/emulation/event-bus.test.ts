import { describe, expect, it, vi } from 'vitest';
import { LocalEventBus, matchesPattern, type FailedDelivery, type MarketEventHandler } from '../../../src/local/emulation/event-bus.js';
import { lambdaContext } from '../../../src/local/emulation/lambda-context.js';
import { busRules } from '../../../src/local/emulation/function-config.js';

const context = () => lambdaContext({ functionName: 'fn', memoryMb: 128, timeoutSeconds: 30, region: 'us-east-1', logGroupName: '/aws/lambda/fn' });

function bus(target: MarketEventHandler) {
  const deadLetters: FailedDelivery[] = [];
  const unmatched = vi.fn();
  const delivered = vi.fn();
  const instance = new LocalEventBus({
    busName: 'bus',
    region: 'us-east-1',
    rules: busRules().map((rule) => ({ ...rule, target })),
    maxRetries: 2,
    concurrency: 2,
    context,
    deadLetter: async (f) => {
      deadLetters.push(f);
    },
    unmatched,
    delivered,
  });
  return { instance, deadLetters, unmatched, delivered };
}

describe('LocalEventBus', () => {
  it("routes on source and detail-type as the stack's rules do", async () => {
    const target = vi.fn(async () => 'ok');
    const { instance, unmatched, delivered } = bus(target);
    await instance.put({ source: 'market.data', detailType: 'Trade Execution', detail: { symbol: 'AAPL' } });
    await instance.put({ source: 'market.data', detailType: 'Price Update', detail: { symbol: 'AAPL' } });
    await instance.put({ source: 'market.data', detailType: 'Order Cancel', detail: {} });
    await instance.put({ source: 'other', detailType: 'Trade Execution', detail: {} });
    await instance.drain();
    expect(target).toHaveBeenCalledTimes(2);
    expect(delivered.mock.calls.map(([d]) => d.rule)).toEqual(['trade-events', 'quote-events']);
    expect(unmatched).toHaveBeenCalledTimes(2);
    const event = (target.mock.calls[0] as unknown[])[0] as { source: string; 'detail-type': string; id: string; detail: unknown };
    expect(event).toMatchObject({ source: 'market.data', 'detail-type': 'Trade Execution', detail: { symbol: 'AAPL' } });
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('retries a failing target at most twice, then dead-letters the event with the last error', async () => {
    const target = vi.fn(async () => {
      throw new Error('rejected');
    });
    const { instance, deadLetters } = bus(target);
    await instance.put({ source: 'market.data', detailType: 'Market Quote', detail: {} }, { file: 'f', line: 7 });
    await instance.drain();
    expect(target).toHaveBeenCalledTimes(3);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]).toMatchObject({ rule: 'quote-events', attempts: 3, reason: 'rejected', origin: { line: 7 } });
  });

  it('redelivers a dead-lettered event to its rule with the same id', async () => {
    const target = vi.fn(async () => undefined);
    const { instance } = bus(target);
    const event = {
      version: '0',
      id: 'e-1',
      'detail-type': 'Trade Update',
      source: 'market.data',
      account: '0',
      time: '',
      region: '',
      resources: [],
      detail: {},
    };
    await instance.redeliver(event, 'trade-events');
    await instance.drain();
    expect(target).toHaveBeenCalledWith(event, expect.anything());
    await expect(instance.redeliver(event, 'no-such-rule')).rejects.toThrow(/no rule named/);
  });

  it('matches patterns exactly', () => {
    const pattern = { source: ['market.data'], 'detail-type': ['Trade Execution'] };
    const base = { version: '0', id: '', account: '', time: '', region: '', resources: [], detail: {} };
    expect(matchesPattern(pattern, { ...base, source: 'market.data', 'detail-type': 'Trade Execution' })).toBe(true);
    expect(matchesPattern(pattern, { ...base, source: 'market.data', 'detail-type': 'trade execution' })).toBe(false);
  });
});
