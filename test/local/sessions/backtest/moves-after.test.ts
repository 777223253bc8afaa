import { describe, expect, it } from 'vitest';
import { MovesAfter } from '../../../../src/local/sessions/backtest/moves-after.js';
import { T0, tick } from '../../../support/ticks.js';
import type { Alert } from '../../../../src/domain/index.js';

const alert = (price: number, eventTime = T0): Alert => ({
  alertId: `a-${eventTime}`,
  symbol: 'AAPL',
  alertType: 'HIGH',
  price,
  threshold: 99,
  mode: 'cross',
  eventTime,
  tickKey: 'k',
});

describe('where the price went after an alert', () => {
  it('takes the price of the last tick at or before each horizon, once a later tick shows the moment is past', () => {
    const moves = new MovesAfter();
    moves.watch(alert(100));
    for (const [seconds, price] of [
      [30, 101],
      [60, 102],
      [61, 103],
      [299, 99],
      [301, 98],
    ] as const)
      moves.observe(tick('AAPL', price, T0 + seconds * 1000));
    expect(moves.result().get(`a-${T0}`)).toEqual({ '1m': 2, '5m': -1, '15m': null });
    // Another symbol, and a tick older than one already seen, change nothing.
    moves.observe(tick('MSFT', 1, T0 + 2_000_000));
    expect(moves.result().get(`a-${T0}`)!['15m']).toBeNull();
    moves.observe(tick('AAPL', 50, T0 + 900_000 - 1));
    moves.observe(tick('AAPL', 10, T0 + 900_000 - 2));
    moves.observe(tick('AAPL', 51, T0 + 900_001));
    expect(moves.result().get(`a-${T0}`)).toEqual({ '1m': 2, '5m': -1, '15m': -50 });
  });

  it('without a tick between the alert and the horizon, the price did not move; an alert seen twice is watched once', () => {
    const moves = new MovesAfter();
    moves.watch(alert(100));
    moves.watch(alert(100));
    moves.observe(tick('AAPL', 120, T0 + 2_000_000));
    expect(moves.result().get(`a-${T0}`)).toEqual({ '1m': 0, '5m': 0, '15m': 0 });
  });
});
