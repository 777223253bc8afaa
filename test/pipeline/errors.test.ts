import { describe, expect, it } from 'vitest';
import { describeError } from '../../src/pipeline/index.js';

describe('describeError', () => {
  it('is the message, after the name when the name says more than "Error"', () => {
    expect(describeError(new Error('table missing'))).toBe('table missing');
    expect(describeError(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))).toBe('ThrottlingException: Rate exceeded');
    expect(describeError(new RangeError('too deep'))).toBe('RangeError: too deep');
    expect(describeError(Object.assign(new Error('no name'), { name: '' }))).toBe('no name');
    expect(describeError('plain text')).toBe('plain text');
    expect(describeError(42)).toBe('42');
  });
});
