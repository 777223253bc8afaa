import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Alert } from '../../domain/index.js';
import type { AlertStore, Deadline, DeliveryFailures } from '../../pipeline/ports.js';
import { toAlertItem } from './alert-items.js';
import { chunk, uniqueAlerts } from './batching.js';
import { DEFAULT_BACKOFF, retryPending, type BackoffOptions } from './retry.js';

/** DynamoDB's BatchWriteItem limit. */
export const BATCH_WRITE_MAX = 25;

/**
 * Alerts in market-alerts with BatchWriteItem. Idempotent by construction: the key is derived from the alert id and the
 * content is deterministic, so a redelivered message rewrites the same item rather than adding one.
 */
export class DynamoAlertStore implements AlertStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly environment: string,
    private readonly backoff: BackoffOptions = DEFAULT_BACKOFF,
  ) {}

  async putAlerts(alerts: readonly Alert[], deadline: Deadline): Promise<DeliveryFailures> {
    const failures: DeliveryFailures = new Map();
    await Promise.all(
      chunk(uniqueAlerts(alerts), BATCH_WRITE_MAX).map(async (items) => {
        const { remaining, reason } = await retryPending(items, (pending) => this.write(pending), deadline, this.backoff);
        for (const alert of remaining) failures.set(alert.alertId, `alert not written: ${reason}`);
      }),
    );
    return failures;
  }

  /** One BatchWriteItem; returns the alerts DynamoDB left unprocessed. */
  private async write(alerts: readonly Alert[]): Promise<readonly Alert[]> {
    const response = await this.client.send(
      new BatchWriteCommand({
        RequestItems: { [this.tableName]: alerts.map((a) => ({ PutRequest: { Item: toAlertItem(a, this.environment) } })) },
      }),
    );
    const unprocessed = new Set(
      (response.UnprocessedItems?.[this.tableName] ?? []).map((request) => request.PutRequest?.Item?.alert_id as string),
    );
    return alerts.filter((a) => unprocessed.has(a.alertId));
  }
}
