import { dirname } from 'node:path';
import type { Alert } from '../../domain/index.js';
import type { Deadline, DeliveryFailures, Notifier } from '../../pipeline/ports.js';
import { PipelineFailure } from '../../pipeline/failures.js';
import { alertRecord, type AlertRecord } from '../alert-record.js';
import { appendLines, ensurePrivateDir } from './private-files.js';

/** File errors that retrying in a few seconds cannot fix. */
const PERSISTENT_FILE_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM']);

/** The JSON line kept for each notification: what an SNS subscriber receives, and when it was sent. */
function notificationRecord(alert: Alert, environment: string, notifiedAt: Date): AlertRecord & { readonly notified_at: string } {
  return { ...alertRecord(alert, environment), notified_at: notifiedAt.toISOString() };
}

export interface FileNotifierOptions {
  readonly environment: string;
  /** JSONL file every notification is appended to. */
  readonly file: string;
  /** Told of the alerts of every notification accepted, in order (the local runtime counts and shows them). */
  readonly onNotified?: (alerts: readonly Alert[]) => void;
  readonly clock?: () => Date;
}

/**
 * The Notifier port on a laptop: traders' SNS messages become lines of a JSONL file, and the alerts are handed to
 * `onNotified` once written (how they are shown is the caller's business).
 */
export class FileNotifier implements Notifier {
  private ready: Promise<unknown> | undefined;

  constructor(private readonly options: FileNotifierOptions) {}

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
      for (const alert of alerts)
        failures.set(alert.alertId, new PipelineFailure('notification', `could not write ${this.options.file}: ${(error as Error).message}`));
      return failures;
    }
    this.options.onNotified?.(alerts);
    return failures;
  }
}
