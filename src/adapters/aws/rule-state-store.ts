import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Deadline, HandOver, RuleStateStore, StateChange, SymbolRecord } from '../../pipeline/ports.js';
import { RETIRED_ATTRIBUTES, STATE, inboxEntry, pendingItem, recordOf, type Item } from './alert-rules-item.js';
import { chunk } from './batching.js';
import { DEFAULT_BACKOFF, retryCall, retryPending, type BackoffOptions } from './retry.js';
import { encodeWindow } from './window-codec.js';

/** DynamoDB's BatchGetItem limit. */
const BATCH_GET_MAX = 100;
/** Hand-overs one write removes by position; an expression is at most 4 KB. */
const MAX_FOLDED_PER_WRITE = 200;

/**
 * Rules and engine state in alert-rules, read once per batch and changed only by updates conditional on the version
 * as read; the inbox is appended to without a condition, and a batch that lost the race learns the state it needs
 * from that append, so a lost race costs no read.
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

  async saveState(symbol: string, read: SymbolRecord, change: StateChange, deadline: Deadline): Promise<'saved' | 'conflict'> {
    // A write that read an empty inbox folds its own ticks, so it must come before any hand-over: the inbox must still
    // be empty. One that read hand-overs folds just those: only a versioned write takes them out, so they are still the
    // inbox's first entries, and hand-overs made since stay for the next write. (An inbox past what one expression can
    // name is taken whole, on condition that nothing was handed over since.)
    const folded = read.inbox.length;
    const whole = folded > MAX_FOLDED_PER_WRITE;
    // Highest first: DynamoDB reads every path against the item as it was, dynalite one after the other.
    const inbox = folded === 0 || whole ? [] : Array.from({ length: folded }, (_, i) => `#inbox[${folded - 1 - i}]`);
    const set = [
      '#window = :window',
      '#pending = :pending',
      '#version = :next',
      ...(folded === 0 ? ['#inbox = if_not_exists(#inbox, :empty)'] : []),
      ...(whole ? ['#inbox = :empty'] : []),
    ];
    const remove = [...inbox, ...RETIRED_ATTRIBUTES.map((_, i) => `#r${i}`)];
    const conditions = [
      read.version === 0 ? 'attribute_not_exists(#version)' : '#version = :expected',
      ...(folded === 0 ? ['(attribute_not_exists(#inbox) OR size(#inbox) = :zero)'] : []),
      ...(whole ? ['size(#inbox) = :handed'] : []),
    ];
    try {
      await retryCall(
        (abortSignal) =>
          this.client.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: { symbol },
              UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
              ConditionExpression: conditions.join(' AND '),
              ExpressionAttributeNames: {
                '#window': STATE.window,
                '#pending': STATE.pending,
                '#inbox': STATE.inbox,
                '#version': STATE.version,
                ...Object.fromEntries(RETIRED_ATTRIBUTES.map((name, i) => [`#r${i}`, name])),
              },
              ExpressionAttributeValues: {
                ':window': encodeWindow(change.window),
                ':pending': Object.fromEntries(change.pending.map((p) => [p.alert.alertId, pendingItem(p)])),
                ...((folded === 0 || whole) && { ':empty': [] }),
                ':next': read.version + 1,
                ...(read.version !== 0 && { ':expected': read.version }),
                ...(whole && { ':handed': folded }),
                ...(folded === 0 && { ':zero': 0 }),
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
      return 'conflict';
    }
  }

  /**
   * Appends to the inbox, creating it if needed: no condition, so it cannot lose a race, and the item right after
   * comes back with it. Retried as any call; a retry after a timeout may append twice, which folds the same (a tick's
   * key is its identity).
   */
  async handOver(symbol: string, handOver: HandOver, deadline: Deadline): Promise<SymbolRecord> {
    const response = await retryCall(
      (abortSignal) =>
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { symbol },
            UpdateExpression: 'SET #inbox = list_append(if_not_exists(#inbox, :empty), :ticks)',
            ExpressionAttributeNames: { '#inbox': STATE.inbox },
            ExpressionAttributeValues: { ':empty': [], ':ticks': [inboxEntry(handOver)] },
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
