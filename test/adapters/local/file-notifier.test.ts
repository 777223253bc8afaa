import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileNotifier } from '../../../src/adapters/local/file-notifier.js';
import type { Alert } from '../../../src/domain/index.js';
import { SAMPLE_ALERT, forever } from '../../support/fakes.js';

const alert = SAMPLE_ALERT;

describe('FileNotifier', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'notify-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('appends each notification to the JSONL file and tells the listener', async () => {
    const notified: Alert[] = [];
    const file = join(dir, 'dev', 'notifications.jsonl');
    const notifier = new FileNotifier({ environment: 'dev', file, onNotified: (a) => notified.push(...a), clock: () => new Date(0) });
    expect((await notifier.notify([alert], forever)).size).toBe(0);
    expect(await notifier.notify([], forever)).toEqual(new Map());
    expect(notified).toEqual([alert]);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      alert_id: alert.alertId,
      symbol: 'AAPL',
      alert_type: 'HIGH',
      price: 155.25,
      threshold: 150,
      kind: 'thresholds',
      rule: 'cross',
      event_time: '2026-11-20T14:30:01.000Z',
      timestamp: `2026-11-20T14:30:01.000Z#${alert.alertId}`,
      tick_key: alert.tickKey,
      environment: 'dev',
      notified_at: '1970-01-01T00:00:00.000Z',
    });
  });

  it('reports every alert as undelivered when the file cannot be written', async () => {
    const notifier = new FileNotifier({ environment: 'dev', file: join(dir, 'no', '\0bad') });
    const failures = await notifier.notify([alert], forever);
    expect(failures.get(alert.alertId)).toMatchObject({ stage: 'notification', message: expect.stringMatching(/could not write/) });
  });

  it('fails the batch at once on a full disk rather than letting it be retried (/dev/full answers every write with ENOSPC)', async () => {
    const notifier = new FileNotifier({ environment: 'dev', file: '/dev/full' });
    await expect(notifier.notify([alert], forever)).rejects.toMatchObject({ code: 'ENOSPC', path: '/dev/full' });
  });
});
