import type { Result } from './validation.js';

/**
 * What every store accepts, checked before anything walks a message recursively. DynamoDB nests at most 32 levels;
 * its numbers are decimals of up to 38 significant digits, 0 or of magnitude 1e-130 to 9.99…9e125 (38 nines).
 * A number is stored as String(n), its shortest exact decimal (at most 17 digits), so the range is all that can fail:
 * the doubles from 1e-130 (String gives "1e-130") up to the last one below 1e126 ("9.999999999999998e+125") are
 * exactly those whose decimal DynamoDB takes. This is the one statement of that range.
 */
export const STRUCTURE_LIMITS = {
  /** Nesting levels of a message below its top level (an event's detail is one level down). */
  maxDepth: 16,
  /** Values in one message; a 4 KB detail cannot honestly hold more. */
  maxValues: 4096,
  /** Smallest magnitude of a number other than 0 (inclusive). */
  minMagnitude: 1e-130,
  /** Every magnitude is below this (exclusive). */
  maxMagnitude: 1e126,
} as const;

/** Bounds to check against: STRUCTURE_LIMITS, or other bounds for a value held elsewhere (a dead letter). */
export type StructureLimits = { readonly [K in keyof typeof STRUCTURE_LIMITS]: number };

const describePath = (path: readonly (string | number)[]): string => (path.length === 0 ? 'message' : path.join('.'));

export interface StructureCheck {
  /** Where the value sits, for the reasons (e.g. ['detail']). */
  readonly root?: readonly (string | number)[];
  /** Also require what a store needs: representable numbers, no empty field names (for values that are stored). */
  readonly storable?: boolean;
}

/**
 * Walk a parsed JSON value without recursion (so no input can exhaust the stack) and check its depth and size, and,
 * for a value that will be stored, that DynamoDB can hold it. Stops at the first problem.
 */
export function checkStructure(
  value: unknown,
  { root = [], storable = false }: StructureCheck = {},
  limits: StructureLimits = STRUCTURE_LIMITS,
): Result<void> {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [...root] }];
  let seen = 0;
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!;
    if (++seen > limits.maxValues) return { ok: false, reason: `${describePath(root)}: has more than ${limits.maxValues} values` };
    if (path.length - root.length > limits.maxDepth) {
      return { ok: false, reason: `${describePath(root)}: nests deeper than ${limits.maxDepth} levels` };
    }
    if (typeof v === 'number') {
      if (!storable) continue;
      const magnitude = Math.abs(v);
      if (!Number.isFinite(v) || (magnitude !== 0 && (magnitude < limits.minMagnitude || magnitude >= limits.maxMagnitude))) {
        return {
          ok: false,
          reason: `${describePath(path)}: ${v} is outside what can be stored (0, or a magnitude from ${limits.minMagnitude} to below ${limits.maxMagnitude})`,
        };
      }
    } else if (Array.isArray(v)) {
      if (seen + stack.length + v.length > limits.maxValues)
        return { ok: false, reason: `${describePath(root)}: has more than ${limits.maxValues} values` };
      v.forEach((item, i) => stack.push({ value: item, path: [...path, i] }));
    } else if (typeof v === 'object' && v !== null) {
      for (const [key, item] of Object.entries(v)) {
        if (key === '' && storable) return { ok: false, reason: `${describePath(path)}: has a field with an empty name` };
        stack.push({ value: item, path: [...path, key] });
      }
    } else if (v !== null && typeof v !== 'string' && typeof v !== 'boolean') {
      return { ok: false, reason: `${describePath(path)}: is not a JSON value` };
    }
  }
  return { ok: true, value: undefined };
}
