import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Tick } from '../../domain/index.js';
import type { Deadline, RuleStateStore, SaveResult, StateChange, SymbolRecord } from '../../pipeline/ports.js';
import { RETIRED_ATTRIBUTES, STATE, inboxEntry, pendingItem, recordOf, type Item } from './alert-rules-item.js';
import { chunk } from './batching.js';
import { UNMARSHALL_OPTIONS } from './clients.js';
import { DEFAULT_BACKOFF, retryCall, retryPending, type BackoffOptions } from './retry.js';
import { encodeWindow } from './window-codec.js';

/** DynamoDB's BatchGetItem limit. */
const BATCH_GET_MAX = 100;

/**
 * Rules and engine state in alert-rules, read once per batch and changed only by updates conditional on the version
 * and the inbox's length as read; the inbox itself is appended to without a condition. A lost race returns the
 * winner's item with the failure (`ReturnValuesOnConditionCheckFailure`, a strongly consistent read), so it costs no
 * read; a server that does not return it (dynalite) is read once more.
 */
export class DynamoRuleStateStore implements RuleStateStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly backoff: BackoffOptions = DEFAULT_BACKOFF,
  ) {}

  async load(symbols: readonly string[], deadline: Deadline): Promise<Map<string, SymbolRecord>> {
    const unique = [...new Set(symbols)];
    const items = new Map<string, Item>();
    for (const symbolsOfCall of chunk(unique, BATCH_GET_MAX)) {
      const { remaining, reason } = await retryPending(symbolsOfCall, (pending, signal) => this.get(pending, items, signal), deadline, this.backoff);
      if (remaining.length > 0) throw new Error(`could not read alert rules for ${remaining.join(', ')}: ${reason}`);
    }
    return new Map(unique.map((symbol) => [symbol, recordOf(items.get(symbol))]));
  }

  /** One BatchGetItem; fills `into` and returns the symbols left unprocessed. */
  private async get(symbols: readonly string[], into: Map<string, Item>, abortSignal: AbortSignal): Promise<readonly string[]> {
    const response = await this.client.send(
      new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: symbols.map((symbol) => ({ symbol })), ConsistentRead: true } } }),
      { abortSignal },
    );
    for (const item of response.Responses?.[this.tableName] ?? []) into.set(item.symbol as string, item);
    return (response.UnprocessedKeys?.[this.tableName]?.Keys ?? []).map((key) => key.symbol as string);
  }

  async saveState(symbol: string, read: SymbolRecord, change: StateChange, deadline: Deadline): Promise<SaveResult> {
    const retired = Object.fromEntries(RETIRED_ATTRIBUTES.map((name, i) => [`#r${i}`, name]));
    const versionCondition = read.version === 0 ? 'attribute_not_exists(#version)' : '#version = :expected';
    // Nothing handed over since the read: a hand-over in between makes this a lost race, so no tick is dropped.
    const inboxCondition = read.inbox.length === 0 ? '(attribute_not_exists(#inbox) OR size(#inbox) = :zero)' : 'size(#inbox) = :handed';
    try {
      await retryCall(
        (abortSignal) =>
          this.client.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: { symbol },
              UpdateExpression: `SET #window = :window, #pending = :pending, #inbox = :empty, #version = :next REMOVE ${Object.keys(retired).join(', ')}`,
              ConditionExpression: `${versionCondition} AND ${inboxCondition}`,
              ExpressionAttributeNames: {
                '#window': STATE.window,
                '#pending': STATE.pending,
                '#inbox': STATE.inbox,
                '#version': STATE.version,
                ...retired,
              },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              ExpressionAttributeValues: {
                ':window': encodeWindow(change.window),
                ':pending': Object.fromEntries(change.pending.map((p) => [p.alert.alertId, pendingItem(p)])),
                ':empty': [],
                ':next': read.version + 1,
                ...(read.version !== 0 && { ':expected': read.version }),
                ...(read.inbox.length === 0 ? { ':zero': 0 } : { ':handed': read.inbox.length }),
              },
            }),
            { abortSignal },
          ),
        deadline,
        this.backoff,
      );
      return 'saved';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { conflict: error.Item ? recordOf(unmarshall(error.Item, { ...UNMARSHALL_OPTIONS })) : await this.read(symbol, deadline) };
    }
  }

  /** A strongly consistent read of one record. */
  private async read(symbol: string, deadline: Deadline): Promise<SymbolRecord> {
    const response = await retryCall(
      (abortSignal) => this.client.send(new GetCommand({ TableName: this.tableName, Key: { symbol }, ConsistentRead: true }), { abortSignal }),
      deadline,
      this.backoff,
    );
    return recordOf(response.Item);
  }

  /**
   * Appends to the inbox, creating it if needed: no condition, so it cannot lose a race. Retried as any call; a retry
   * after a timeout may append twice, which folds the same (a tick's key is its identity).
   */
  async handOver(symbol: string, ticks: readonly Tick[], deadline: Deadline): Promise<SymbolRecord> {
    const response = await retryCall(
      (abortSignal) =>
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { symbol },
            UpdateExpression: 'SET #inbox = list_append(if_not_exists(#inbox, :empty), :ticks)',
            ExpressionAttributeNames: { '#inbox': STATE.inbox },
            ExpressionAttributeValues: { ':empty': [], ':ticks': ticks.map(inboxEntry) },
            ReturnValues: 'ALL_NEW',
          }),
          { abortSignal },
        ),
      deadline,
      this.backoff,
    );
    return recordOf(response.Attributes);
  }
}
