import { styleText } from 'node:util';

export { safeJson, visible } from '../shared/text.js';

export type Style = Parameters<typeof styleText>[0];

/**
 * Colour for people: only when the stream is a terminal that shows colour, and never when NO_COLOR is set (or
 * NODE_DISABLE_COLORS); FORCE_COLOR turns it on for a pipe. util.styleText checks all of these against `stream`.
 */
export function paint(style: Style, text: string, stream: NodeJS.WritableStream = process.stdout): string {
  return styleText(style, text, { stream, validateStream: true });
}
