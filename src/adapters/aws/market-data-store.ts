import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MarketEvent } from '../../domain/index.js';
import type { Deadline, MarketDataStore } from '../../pipeline/ports.js';
import { DAY_SECONDS } from '../../shared/time.js';
import { DEFAULT_BACKOFF, retryCall, type BackoffOptions } from './retry.js';

/** Market events in market-data, stored once per EventBridge event id, expiring after the TTL. */
export class DynamoMarketDataStore implements MarketDataStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly ttlDays: number,
    private readonly clock: () => number = Date.now,
    private readonly backoff: BackoffOptions = DEFAULT_BACKOFF,
  ) {}

  async putEvent(event: MarketEvent, deadline: Deadline): Promise<'created' | 'exists'> {
    const now = this.clock();
    const item = {
      event_id: event.eventId,
      timestamp: new Date(event.eventTime).toISOString(),
      event_type: event.eventType,
      kind: event.kind,
      symbol: event.symbol,
      exchange: event.exchange,
      price: event.price,
      volume: event.volume,
      bid: event.bid,
      ask: event.ask,
      detail: event.detail,
      received_at: new Date(now).toISOString(),
      expires_at: Math.floor(now / 1000) + this.ttlDays * DAY_SECONDS,
    };
    try {
      await retryCall(
        (abortSignal) =>
          this.client.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(event_id)' }), {
            abortSignal,
          }),
        deadline,
        this.backoff,
      );
      return 'created';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'exists';
      throw error;
    }
  }
}
