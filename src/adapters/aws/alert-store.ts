import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { alertSortKey, type Alert } from '../../domain/index.js';
import type { AlertStore, Deadline, DeliveryFailures } from '../../pipeline/ports.js';
import { PipelineFailure } from '../../pipeline/failures.js';
import { alertRecord } from '../alert-record.js';
import { chunk, uniqueAlerts } from './batching.js';
import { DEFAULT_BACKOFF, isolatingRejections, retryPending, type BackoffOptions } from './retry.js';

/** DynamoDB's BatchWriteItem and BatchGetItem limits. */
const BATCH_WRITE_MAX = 25;
const BATCH_GET_KEYS_MAX = 100;

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
        const attempt = (part: readonly Alert[]) => retryPending(part, (pending, signal) => this.write(pending, signal), deadline, this.backoff);
        for (const { item, reason } of await isolatingRejections(items, attempt))
          failures.set(item.alertId, new PipelineFailure('record', `alert not written: ${reason}`));
      }),
    );
    return failures;
  }

  async recorded(alerts: readonly Alert[], deadline: Deadline): Promise<Set<string>> {
    const found = new Set<string>();
    for (const part of chunk(uniqueAlerts(alerts), BATCH_GET_KEYS_MAX)) {
      const { remaining, reason } = await retryPending(part, (pending, signal) => this.find(pending, found, signal), deadline, this.backoff);
      if (remaining.length > 0) throw new Error(`could not look up ${remaining.length} alert record(s): ${reason}`);
    }
    return found;
  }

  /** One BatchGetItem (eventually consistent: a record not seen yet only means it is looked up again later). */
  private async find(alerts: readonly Alert[], into: Set<string>, abortSignal: AbortSignal): Promise<readonly Alert[]> {
    const keyOf = (a: Alert) => ({ symbol: a.symbol, timestamp: alertSortKey(a.eventTime, a.alertId) });
    const response = await this.client.send(
      new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: alerts.map(keyOf), ProjectionExpression: 'alert_id' } } }),
      { abortSignal },
    );
    for (const item of response.Responses?.[this.tableName] ?? []) into.add(item.alert_id as string);
    const unprocessed = new Set((response.UnprocessedKeys?.[this.tableName]?.Keys ?? []).map((k) => k.timestamp as string));
    return alerts.filter((a) => unprocessed.has(keyOf(a).timestamp));
  }

  /** One BatchWriteItem; returns the alerts DynamoDB left unprocessed. */
  private async write(alerts: readonly Alert[], abortSignal: AbortSignal): Promise<readonly Alert[]> {
    const response = await this.client.send(
      new BatchWriteCommand({
        RequestItems: { [this.tableName]: alerts.map((a) => ({ PutRequest: { Item: alertRecord(a, this.environment) } })) },
      }),
      { abortSignal },
    );
    const unprocessed = new Set((response.UnprocessedItems?.[this.tableName] ?? []).map((request) => request.PutRequest?.Item?.alert_id as string));
    return alerts.filter((a) => unprocessed.has(a.alertId));
  }
}
