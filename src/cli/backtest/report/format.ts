import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS } from '../../../shared/time.js';

const UNITS: readonly [string, number][] = [
  ['d', DAY_MS],
  ['h', HOUR_MS],
  ['m', MINUTE_MS],
  ['s', SECOND_MS],
];

/** A duration for people, to its two largest units: `3d 4h`, `2h 13m`, `45s`, `250 ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0 || parts.length > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
    if (parts.length === 2) break;
  }
  return parts.filter((p, i) => i === 0 || !p.startsWith('0')).join(' ');
}

/** An event time as ISO-8601 UTC, or a dash when there is none. */
export const formatTime = (ms: number): string => (Number.isFinite(ms) ? new Date(ms).toISOString() : '–');
