import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError, checkInput, csvRecord, formatOf, jsonlRecord, readInput, type InputRecord } from '../../../src/local/formats/input-file.js';

const collect = async (file: string, format: 'jsonl' | 'csv') => {
  const out: InputRecord[] = [];
  for await (const r of readInput(file, format)) out.push(r);
  return out;
};

describe('input files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'input-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads a JSONL line as a tick body as it stands, malformed or not', () => {
    expect(jsonlRecord('{"symbol":"AAPL","price":1}', 3)).toEqual({ kind: 'tick', line: 3, body: '{"symbol":"AAPL","price":1}' });
    expect(jsonlRecord('AAPL 151.20', 4)).toEqual({ kind: 'tick', line: 4, body: 'AAPL 151.20' });
    expect(jsonlRecord('[1,2]', 5)).toMatchObject({ kind: 'tick' });
  });

  it('reads a JSONL line with a detail-type as a bus event, in either spelling', () => {
    expect(
      jsonlRecord('{"source":"market.data","detail-type":"Trade Execution","detail":{"symbol":"AAPL"},"time":"2026-11-20T14:00:00Z"}', 1),
    ).toEqual({
      kind: 'event',
      line: 1,
      entry: { source: 'market.data', detailType: 'Trade Execution', detail: { symbol: 'AAPL' }, time: '2026-11-20T14:00:00Z' },
    });
    expect(jsonlRecord('{"Source":"market.data","DetailType":"Market Quote","Detail":"{\\"bid\\":1}"}', 2)).toMatchObject({
      kind: 'event',
      entry: { detailType: 'Market Quote', detail: { bid: 1 } },
    });
  });

  it('reports a bus event that PutEvents would refuse', () => {
    expect(jsonlRecord('{"source":"market.data","detail-type":"Trade Execution","detail":"nope"}', 9)).toEqual({
      kind: 'bad',
      line: 9,
      reason: 'not a valid bus event: detail: must be a JSON object',
    });
    expect(jsonlRecord('{"detail-type":"Trade Execution","detail":{}}', 9)).toMatchObject({
      reason: 'not a valid bus event: source: must be a non-empty string',
    });
    expect(jsonlRecord('{"source":"s","detail-type":"T","detail":{},"time":"x"}', 9)).toMatchObject({
      reason: 'not a valid bus event: time: must be an ISO-8601 date',
    });
  });

  it('turns CSV rows into tick bodies: numbers where numeric, empty cells left out', () => {
    const columns = ['symbol', 'price', 'timestamp', 'volume', 'exchange', 'note'];
    expect(csvRecord(['AAPL', '155.25', '1763650000000', '', 'NASDAQ', 'x'], 2, columns)).toEqual({
      kind: 'tick',
      line: 2,
      body: JSON.stringify({ symbol: 'AAPL', price: 155.25, timestamp: 1763650000000, exchange: 'NASDAQ' }),
    });
    expect(csvRecord(['AAPL', 'abc', '', '', '', ''], 3, columns)).toMatchObject({ body: '{"symbol":"AAPL","price":"abc"}' });
    expect(csvRecord(['AAPL', '1'], 4, columns)).toEqual({ kind: 'bad', line: 4, reason: 'expected 6 columns, got 2' });
  });

  it('streams a file with 1-based line numbers, skipping blank lines', async () => {
    const file = join(dir, 'ticks.jsonl');
    await writeFile(file, '\ufeff{"symbol":"A","price":1}\n\n{"symbol":"B","price":2}\r\n');
    expect(await collect(file, 'jsonl')).toEqual([
      { kind: 'tick', line: 1, body: '{"symbol":"A","price":1}' },
      { kind: 'tick', line: 3, body: '{"symbol":"B","price":2}' },
    ]);
  });

  it('needs a CSV header naming symbol and price', async () => {
    const good = join(dir, 'ok.csv');
    await writeFile(good, 'Symbol,Price\nAAPL,1\n');
    expect(await collect(good, 'csv')).toEqual([{ kind: 'tick', line: 2, body: '{"symbol":"AAPL","price":1}' }]);
    const bad = join(dir, 'bad.csv');
    await writeFile(bad, 'AAPL,1\n');
    await expect(collect(bad, 'csv')).rejects.toThrow(/header naming the columns/);
  });

  it('parses RFC 4180 CSV: quoted commas, quotes, line breaks; a broken record is reported and the rest read', async () => {
    const file = join(dir, 'quoted.csv');
    await writeFile(file, '\ufeffsymbol,price,exchange\r\n"AAPL",1,"NY,SE"\n"MS\nFT",2,"a""b"\nKO,x"y,Z\n\nF,3,N\n');
    expect(await collect(file, 'csv')).toEqual([
      { kind: 'tick', line: 2, body: '{"symbol":"AAPL","price":1,"exchange":"NY,SE"}' },
      { kind: 'tick', line: 3, body: '{"symbol":"MS\\nFT","price":2,"exchange":"a\\"b"}' },
      { kind: 'bad', line: 5, reason: 'not valid CSV: Invalid Opening Quote: a quote is found on field 1 at line 5, value is "x"' },
      { kind: 'tick', line: 7, body: '{"symbol":"F","price":3,"exchange":"N"}' },
    ]);
    expect(await checkInput(file, 'csv')).toBeGreaterThan(0);
  });

  it('checks a CSV header before reading, and stops a file at a quote that is never closed', async () => {
    const empty = join(dir, 'empty.csv');
    await writeFile(empty, '');
    await expect(checkInput(empty, 'csv')).rejects.toThrow(`${empty}: the file is empty`);
    await expect(checkInput(empty, 'csv', { allowEmpty: true })).resolves.toBe(0);
    const headless = join(dir, 'headless.csv');
    await writeFile(headless, 'AAPL,1\n');
    await expect(checkInput(headless, 'csv')).rejects.toThrow(`${headless}: the first line must be a header`);
    const open = join(dir, 'open.csv');
    await writeFile(open, `symbol,price\nA,1\nB,"2\n${'x,'.repeat(600_000)}\n`);
    expect(await collect(open, 'csv')).toEqual([
      { kind: 'tick', line: 2, body: '{"symbol":"A","price":1}' },
      { kind: 'bad', line: 4, reason: 'a record longer than 1048576 bytes (a quote that is never closed?): the rest of the file is not read' },
    ]);
  });

  it('reports a JSONL line too long to be a message without reading it whole', async () => {
    const file = join(dir, 'long.jsonl');
    await writeFile(file, `{"symbol":"A","price":1}\n${'9'.repeat(3_000_000)}\n{"symbol":"B","price":2}`);
    expect(await collect(file, 'jsonl')).toEqual([
      { kind: 'tick', line: 1, body: '{"symbol":"A","price":1}' },
      { kind: 'bad', line: 2, reason: 'longer than 1048576 bytes (3000000), skipped' },
      { kind: 'tick', line: 3, body: '{"symbol":"B","price":2}' },
    ]);
  });

  it('says so when the file is missing or a folder', async () => {
    await expect(collect(join(dir, 'missing.jsonl'), 'jsonl')).rejects.toThrow(new InputError(`file not found: ${join(dir, 'missing.jsonl')}`));
    await expect(collect(dir, 'jsonl')).rejects.toThrow(/not a file/);
  });

  it('picks the format from the extension unless told', () => {
    expect(formatOf('a.CSV')).toBe('csv');
    expect(formatOf('a.jsonl')).toBe('jsonl');
    expect(formatOf('a.txt', 'csv')).toBe('csv');
  });
});
