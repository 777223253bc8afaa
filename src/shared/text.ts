import { isAbsolute, relative } from 'node:path';

/** `1 alert`, `3 alerts`: a count with its noun, plural unless it is one. */
export const plural = (n: number, singular: string, pluralForm = `${singular}s`): string => `${n} ${n === 1 ? singular : pluralForm}`;

/**
 * Characters a terminal may act on instead of showing: C0 controls (ESC starts escape sequences), DEL, C1 controls
 * (0x9B is a one-byte CSI on some terminals), line and paragraph separators, and the bidirectional overrides and
 * isolates that can make text read differently from what it is.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const escape = (c: string): string => {
  const code = c.charCodeAt(0);
  return NAMED[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
};

/** Text from input data, safe to print: every control character is shown as an escape (`\x1b`, `\n`, `\u202e`). */
export function visible(value: unknown): string {
  return String(value).replace(UNSAFE, escape);
}

/**
 * JSON for the terminal: JSON.stringify escapes C0 controls but leaves C1 controls and bidi overrides raw; these only
 * occur inside strings, where `\uXXXX` is their valid JSON spelling, so the output parses to the same value.
 */
export function safeJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A path as short as it can be shown: relative when it is under the working directory. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}
