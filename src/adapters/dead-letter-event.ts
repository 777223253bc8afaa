import { STRUCTURE_LIMITS, checkStructure, type StructureLimits } from '../domain/index.js';

/** SQS's message size limit (body and attributes), less room for the attributes. */
const MAX_DEAD_LETTER_BYTES = 256 * 1024 - 4 * 1024;

/**
 * The deepest event a dead letter keeps whole: four times what validation takes (16 levels), and shallow enough for
 * every reader and writer on its way, recursive ones included (JSON.stringify, a consumer's JSON parser, a log line).
 */
const MAX_DEAD_LETTER_DEPTH = 64;

/** Each JSON value takes at least one byte, so an event with more values could not fit in a dead letter anyway. */
const BOUNDS: StructureLimits = { ...STRUCTURE_LIMITS, maxDepth: MAX_DEAD_LETTER_DEPTH, maxValues: MAX_DEAD_LETTER_BYTES };

/** Longest note on what was left out (the path of a field may be long). */
const MAX_NOTE = 256;

export interface DeadLetterEvent {
  /** The event as it came, or its envelope with a note in place of the detail. */
  readonly event: unknown;
  /** `event` as JSON. */
  readonly body: string;
  /** False when the detail was left out. */
  readonly complete: boolean;
}

/** Whether an event is one a dead letter keeps whole as far as its shape goes (walked without recursion). */
export const withinDeadLetterBounds = (event: unknown): boolean => checkStructure(event, { root: ['event'] }, BOUNDS).ok;

/**
 * The event as a dead letter holds it, the same for market-events-dlq and the local events DLQ: as it came (the
 * shape EventBridge itself would have sent) when it fits. An event too deep, too large or not JSON keeps its
 * envelope and says what was left out. Its shape is checked without recursion before anything serialises it, so no
 * input can exhaust the stack here or later.
 */
export function deadLetterEvent(event: unknown): DeadLetterEvent {
  const shape = checkStructure(event, { root: ['event'] }, BOUNDS);
  // A value that passed the check is JSON, and shallow enough to serialise.
  const body = shape.ok ? JSON.stringify(event) : '';
  if (shape.ok && Buffer.byteLength(body) <= MAX_DEAD_LETTER_BYTES) return { event, body, complete: true };
  const why = shape.ok ? `${Buffer.byteLength(body)} bytes` : shape.reason.slice(0, MAX_NOTE);
  const e = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  const short = (v: unknown) => (typeof v === 'string' ? v.slice(0, 256) : undefined);
  const envelope = {
    id: short(e.id),
    source: short(e.source),
    'detail-type': short(e['detail-type']),
    time: short(e.time),
    detail: `left out: ${why}`,
  };
  return { event: envelope, body: JSON.stringify(envelope), complete: false };
}
