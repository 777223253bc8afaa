import type { Alert } from '../../domain/index.js';

/** Split into consecutive groups of at most `size` (an API's per-call limit). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** Each alert once: batch APIs reject repeated keys and ids within one call. */
export function uniqueAlerts(alerts: readonly Alert[]): Alert[] {
  return [...new Map(alerts.map((a) => [a.alertId, a])).values()];
}
