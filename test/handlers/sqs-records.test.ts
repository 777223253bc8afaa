import { describe, expect, it } from 'vitest';
import { readSqsRecords } from '../../src/handlers/sqs-records.js';

const AT = 1_790_000_000_000;

describe('readSqsRecords', () => {
  it('takes the event time from SentTimestamp when it is a positive whole number, else the time it was received', () => {
    const record = (attributes: unknown) => ({ messageId: 'm', body: '{}', attributes });
    const sent = (attributes: unknown) => readSqsRecords({ Records: [record(attributes)] }, AT).messages[0]!.sentTimestamp;
    expect(sent({ SentTimestamp: '1789999999999' })).toBe(1_789_999_999_999);
    expect(sent(undefined)).toBe(AT);
    expect(sent({})).toBe(AT);
    expect(sent({ SentTimestamp: 'abc' })).toBe(AT);
    expect(sent({ SentTimestamp: '0' })).toBe(AT);
    expect(sent({ SentTimestamp: '-5' })).toBe(AT);
    expect(sent({ SentTimestamp: '1.5' })).toBe(AT);
  });

  it('names what is wrong with an event or a record, with its position', () => {
    expect(readSqsRecords(undefined, AT)).toEqual({
      messages: [],
      rejected: [],
      unusable: [{ index: -1, problem: 'the event has no Records list (got undefined)' }],
      received: 0,
    });
    expect(
      readSqsRecords(
        {
          Records: [
            { messageId: 'a', body: null },
            { messageId: 'b', body: 7 },
          ],
        },
        AT,
      ),
    ).toEqual({
      messages: [],
      rejected: [
        { messageId: 'a', status: 'invalid', reason: 'body: must be a string (got null)' },
        { messageId: 'b', status: 'invalid', reason: 'body: must be a string (got number)' },
      ],
      unusable: [],
      received: 2,
    });
  });

  it('accepts message ids of 1 to 100 visible characters and nothing else', () => {
    const ids = ['x', 'x'.repeat(100), 'x'.repeat(101), 'with space', 'tab\t', ''];
    const { messages, unusable } = readSqsRecords({ Records: ids.map((messageId) => ({ messageId, body: '{}' })) }, AT);
    expect(messages.map((m) => m.messageId)).toEqual(['x', 'x'.repeat(100)]);
    expect(unusable.map((u) => u.index)).toEqual([2, 3, 4, 5]);
  });
});
