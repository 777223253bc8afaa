/* eslint-disable no-control-regex -- these tests look for control characters on purpose */
import { describe, expect, it } from 'vitest';
import { safeJson, visible } from '../../src/cli/terminal.js';

describe('text from input data on a terminal', () => {
  it('shows every control character as an escape', () => {
    expect(visible('a\u001b[31mb\u0007\r\n\t\u007f\u009b\u202e\u2066c')).toBe('a\\x1b[31mb\\x07\\r\\n\\t\\x7f\\x9b\\u202e\\u2066c');
    expect(visible('plain: AAPL 150.16 > 150, é, 株')).toBe('plain: AAPL 150.16 > 150, é, 株');
    expect(visible(42)).toBe('42');
  });

  it('keeps JSON valid and equal to the value while escaping what JSON.stringify leaves raw', () => {
    const value = { body: 'x\u001b[2J\u009b1m\u202ey' };
    const text = safeJson(value);
    expect(text).not.toMatch(/[\u001b\u009b\u202e]/);
    expect(text).toContain('x\\u001b[2J\\u009b1m\\u202ey');
    expect(JSON.parse(text)).toEqual(value);
  });
});
