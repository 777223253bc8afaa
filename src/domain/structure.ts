import type { Result } from './validation.js';

/**
 * What every store accepts, checked before anything walks a message recursively. DynamoDB nests at most 32 levels
 * and holds numbers of magnitude 1e-130 to 1e126 (38 significant digits: a double never has more than 17).
 */
export const STRUCTURE_LIMITS = {
  /** Nesting levels of a message below its top level (an event's detail is one level down). */
  maxDepth: 16,
  /** Values in one message; a 4 KB detail cannot honestly hold more. */
  maxValues: 4096,
  minMagnitude: 1e-130,
  maxMagnitude: 1e126,
} as const;

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
export function checkStructure(value: unknown, { root = [], storable = false }: StructureCheck = {}, limits = STRUCTURE_LIMITS): Result<void> {
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
        return { ok: false, reason: `${describePath(path)}: ${v} is outside what can be stored (0, or a magnitude from 1e-130 to 1e126)` };
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
