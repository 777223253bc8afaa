import { dirname } from 'node:path';
import type { Alert } from '../../domain/index.js';
import type { Deadline, DeliveryFailures, Notifier } from '../../pipeline/ports.js';
import { alertRecord, type AlertRecord } from '../alert-record.js';
import { appendLines, ensurePrivateDir } from './private-files.js';

/** File errors that retrying in a few seconds cannot fix. */
const PERSISTENT_FILE_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM']);

/** One readable line per alert, e.g. `ALERT HIGH  AAPL 155.25 > 150 at 2026-11-20T14:30:01.000Z [id 3f9c1a2b]`. */
export function formatAlertLine(alert: Alert): string {
  const comparison = alert.alertType === 'HIGH' ? '>' : '<';
  const when = new Date(alert.eventTime).toISOString();
  return `ALERT ${alert.alertType.padEnd(5)} ${alert.symbol} ${alert.price} ${comparison} ${alert.threshold} at ${when} [id ${alert.alertId.slice(0, 8)}]`;
}

/** The JSON line kept for each notification: what an SNS subscriber receives, and when it was sent. */
export function notificationRecord(alert: Alert, environment: string, notifiedAt: Date): AlertRecord & { readonly notified_at: string } {
  return { ...alertRecord(alert, environment), notified_at: notifiedAt.toISOString() };
}

export interface ConsoleNotifierOptions {
  readonly environment: string;
  /** JSONL file every notification is appended to. */
  readonly file: string;
  /** Where the readable lines go; omit to keep the console quiet. */
  readonly print?: (line: string) => void;
  /** Told of every notification accepted (the local runtime counts them). */
  readonly onNotified?: (alerts: readonly Alert[]) => void;
  readonly clock?: () => Date;
}

/** The Notifier port on a laptop: traders' SNS messages become console lines and a JSONL file. */
export class ConsoleNotifier implements Notifier {
  private ready: Promise<unknown> | undefined;

  constructor(private readonly options: ConsoleNotifierOptions) {}

  /** A local file append is immediate, so the deadline is never the limit. */
  async notify(alerts: readonly Alert[], _deadline?: Deadline): Promise<DeliveryFailures> {
    const failures: DeliveryFailures = new Map();
    if (alerts.length === 0) return failures;
    const now = (this.options.clock ?? (() => new Date()))();
    try {
      this.ready ??= ensurePrivateDir(dirname(this.options.file));
      await this.ready;
      await appendLines(
        this.options.file,
        alerts.map((a) => JSON.stringify(notificationRecord(a, this.options.environment, now))),
      );
    } catch (error) {
      // A full disk or a read-only folder will not clear up within the retries: fail the batch at once.
      if (PERSISTENT_FILE_ERRORS.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
      // Not accepted: the pipeline reports these alerts as undelivered and the messages are retried.
      for (const alert of alerts) failures.set(alert.alertId, `could not write ${this.options.file}: ${(error as Error).message}`);
      return failures;
    }
    for (const alert of alerts) this.options.print?.(formatAlertLine(alert));
    this.options.onNotified?.(alerts);
    return failures;
  }
}
