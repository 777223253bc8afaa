import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry, AuditLog, Deadline } from '../../pipeline/ports.js';
import { DEFAULT_BACKOFF, retryCall, type BackoffOptions } from './retry.js';

/**
 * One audit-trail record per event and outcome: the key is `{event id}#{outcome}`, and the first record of an outcome
 * stays (a redelivery that finds its work done must not replace what the first delivery recorded).
 */
export class DynamoAuditLog implements AuditLog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly environment: string,
    private readonly clock: () => number = Date.now,
    private readonly backoff: BackoffOptions = DEFAULT_BACKOFF,
  ) {}

  async record(entry: AuditEntry, deadline: Deadline): Promise<void> {
    const item = {
      audit_id: `${entry.eventId}#${entry.outcome}`,
      timestamp: entry.eventTime,
      event_id: entry.eventId,
      event_type: entry.eventType,
      outcome: entry.outcome,
      symbol: entry.symbol,
      detail: entry.detail,
      environment: this.environment,
      recorded_at: new Date(this.clock()).toISOString(),
    };
    const put = new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(audit_id)' });
    try {
      await retryCall((abortSignal) => this.client.send(put, { abortSignal }), deadline, this.backoff);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
