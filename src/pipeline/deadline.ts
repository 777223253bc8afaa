import type { Deadline } from './ports.js';

/** A deadline `ms` from now (by the given clock). */
export function deadlineIn(ms: number, clock: () => number = Date.now): Deadline {
  const end = clock() + ms;
  return { remainingMs: () => end - clock() };
}
