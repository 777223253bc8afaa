import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EventBridgeEvent } from 'aws-lambda';
import { FileNotifier } from '../../adapters/local/file-notifier.js';
import { parseMarketEvent, parseTick, type Alert } from '../../domain/index.js';
import { MARKET_EVENT_ROUTING } from '../../handlers/config.js';
import { createDataProcessorHandler } from '../../handlers/data-processor.js';
import { createMarketProcessorHandler, type MarketProcessorResult } from '../../handlers/market-processor.js';
import { alertingPorts, marketEventPorts } from '../../handlers/wiring.js';
import type { EventDeadLetters } from '../../pipeline/index.js';
import { BASE_NAMES, DEFAULTS, horizonFor, resourceNames, type TableKey } from '../../resources/index.js';
import {
  eventDeadLetters,
  tickDeadLetters,
  tickLetterId,
  type EventDeadLetter,
  type JsonlDeadLetterStore,
  type Origin,
  type TickDeadLetter,
} from './dead-letter-store.js';
import { FailureReasons, localObservability } from './failure-reasons.js';
import { LateTicks, lateReason } from './late-ticks.js';
import type { BusEntry } from '../formats/input-file.js';
import { LocalEventBus } from './event-bus.js';
import { busRules, localHandlerConfig } from './function-config.js';
import { lambdaContext } from './lambda-context.js';
import type { LocalPaths } from './paths.js';
import { displayPath } from '../../shared/text.js';
import { LocalSqsDriver, type QueueMessage } from './sqs-driver.js';
import type { RunStats } from './run-stats.js';

export interface LocalPipelineOptions {
  readonly environment: string;
  readonly region: string;
  /** DynamoDB the handlers use: the embedded server, or a deployed environment's tables. */
  readonly documents: DynamoDBDocumentClient;
  /** Table names when they are not the environment's resource names. */
  readonly tableNames?: Partial<Record<TableKey, string>>;
  /** Where the dead-letter queues and the notifications file are kept. */
  readonly paths: LocalPaths;
  readonly stats: RunStats;
  /** Told of each alert once its notification is written (in the notifications file); omit for a quiet run. */
  readonly onAlert?: (alert: Alert) => void;
  /** Batches (and events) in flight at once; default the data-processor's reserved concurrency. */
  readonly concurrency?: number;
  /** Show the handlers' structured logs and metrics. */
  readonly verbose?: boolean;
}

/** The deployed system's two entry points, in process, with their transports' delivery semantics. */
export interface LocalPipeline {
  /** A producer's SendMessage to market-data-queue. */
  sendTick(body: string, origin?: Origin): Promise<void>;
  /** A producer's PutEvents entry on market-data-bus. */
  putEvent(entry: BusEntry, origin?: Origin): Promise<void>;
  /** Everything sent so far is processed, redeliveries and dead letters included. */
  drain(): Promise<void>;
  readonly ticksDlq: JsonlDeadLetterStore<TickDeadLetter>;
  readonly eventsDlq: JsonlDeadLetterStore<EventDeadLetter>;
  /**
   * Put dead letters back through the pipeline, as SQS's redrive does (a tick comes back with a new message id and
   * sent time); those that fail again return to their queue.
   */
  redriveTick(letter: TickDeadLetter): Promise<void>;
  redriveEvent(letter: EventDeadLetter): Promise<void>;
}

/** Powertools reads these when a logger or metrics object is created: quiet unless asked, as a console tool should be. */
function configurePowertools(verbose: boolean): void {
  process.env.POWERTOOLS_LOG_LEVEL = verbose ? 'INFO' : (process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT');
  process.env.POWERTOOLS_METRICS_DISABLED = verbose ? 'false' : (process.env.POWERTOOLS_METRICS_DISABLED ?? 'true');
}

/**
 * Why a tick ended in the DLQ, for people: what the function logged for its last receive, else the error that
 * failed the whole invocation, else the domain's validation reason.
 */
function tickReason(message: QueueMessage, logged: string | undefined, receives: number): string {
  if (logged) return logged;
  if (message.lastError) return message.lastError;
  const parsed = parseTick(message, Date.now());
  return parsed.ok ? `processing failed on each of ${receives} receives, with no reason given` : parsed.reason;
}

function eventReason(event: EventBridgeEvent<string, unknown>, error: string): string {
  const parsed = parseMarketEvent(event, MARKET_EVENT_ROUTING, Date.now());
  return parsed.ok ? error : parsed.reason;
}

export function createLocalPipeline(options: LocalPipelineOptions): LocalPipeline {
  configurePowertools(options.verbose ?? false);
  const { environment, region, stats, paths } = options;
  const names = resourceNames(environment);
  const concurrency = options.concurrency ?? DEFAULTS.dataProcessor.reservedConcurrency;
  const deployed = localHandlerConfig(environment, region, options.tableNames);
  // More batches in flight than the function's 5 need a longer memory, or ticks that came in order could be late.
  const config = { ...deployed, limits: { ...deployed.limits, horizon: horizonFor(deployed.limits.horizon, concurrency) } };
  const notifier = new FileNotifier({
    environment,
    file: paths.notifications,
    onNotified: (alerts) =>
      alerts.forEach((alert) => {
        stats.alerts[alert.alertType]++;
        options.onAlert?.(alert);
      }),
  });
  const reasons = new FailureReasons();
  // What each function reports late, by message or event id: shown once the delivery is acknowledged.
  const lateTicks = new LateTicks();
  const lateEvents = new LateTicks();
  const dataProcessor = createDataProcessorHandler({
    ports: alertingPorts(config, options.documents, notifier),
    observability: localObservability(BASE_NAMES.dataProcessor),
    onFailed: reasons.record,
    onLate: lateTicks.record,
  });
  // A dead-letter line that cannot be read is skipped and reported like an unreadable input line.
  const onUnreadable = (problem: { file: string; line: number; reason: string }) =>
    stats.problem({
      kind: 'line',
      outcome: 'skipped',
      reason: `${displayPath(problem.file)}: ${problem.reason}`,
      origin: { file: problem.file, line: problem.line },
    });
  const eventsDlq = eventDeadLetters(paths.eventsDlq, onUnreadable);
  // What market-processor sends straight to the events DLQ (invalid events): the same file the bus's failures go to.
  const deadLetters: EventDeadLetters = {
    send: async (event, reason) => {
      const delivery = bus.deliveryOf((event as { id?: string } | null)?.id ?? '');
      const origin = delivery?.origin;
      await eventsDlq.append([
        {
          event: event as Record<string, unknown>,
          rule: delivery?.rule ?? '',
          attempts: 1,
          reason,
          deadLetteredAt: new Date().toISOString(),
          ...(origin && { origin }),
        },
      ]);
      stats.problem({ kind: 'event', outcome: 'dead-lettered', reason, ...(origin && { origin }) });
    },
  };
  const marketProcessor = createMarketProcessorHandler({
    ports: marketEventPorts(config, options.documents, notifier, deadLetters),
    observability: localObservability(BASE_NAMES.marketProcessor),
    onLate: lateEvents.record,
  });
  // Each invocation gets a fresh context with the function's own name, memory, timeout and log group.
  const contextOf = (fn: 'dataProcessor' | 'marketProcessor') => () =>
    lambdaContext({
      functionName: names[fn],
      memoryMb: DEFAULTS[fn].memoryMb,
      timeoutSeconds: DEFAULTS[fn].timeoutSeconds,
      region,
      logGroupName: names[`${fn}LogGroup`],
    });
  const ticksDlq = tickDeadLetters(paths.ticksDlq, onUnreadable);

  const queue = new LocalSqsDriver({
    handler: dataProcessor,
    context: contextOf('dataProcessor'),
    queueArn: `arn:aws:sqs:${region}:000000000000:${names.marketDataQueue}`,
    region,
    batchSize: DEFAULTS.batchSize,
    maxReceiveCount: DEFAULTS.maxReceiveCount,
    concurrency,
    delivered: (message) => {
      reasons.forget(message.messageId);
      stats.ticksProcessed++;
      const late = lateTicks.take(message.messageId);
      if (late) stats.problem({ kind: 'tick', outcome: 'late', reason: lateReason(late), ...(message.origin && { origin: message.origin }) });
    },
    deadLetter: async (message) => {
      lateTicks.take(message.messageId);
      const reason = tickReason(message, reasons.take(message.messageId), DEFAULTS.maxReceiveCount);
      await ticksDlq.append([
        {
          messageId: message.messageId,
          originalMessageId: message.originalMessageId,
          body: message.body,
          sentTimestamp: message.sentTimestamp,
          receiveCount: message.receiveCount,
          reason,
          deadLetteredAt: new Date().toISOString(),
          ...(message.origin && { origin: message.origin }),
        },
      ]);
      stats.problem({ kind: 'tick', outcome: 'dead-lettered', reason, ...(message.origin && { origin: message.origin }) });
    },
  });

  const bus = new LocalEventBus({
    busName: names.eventBus,
    region,
    rules: busRules().map((rule) => ({ ...rule, target: marketProcessor })),
    maxRetries: DEFAULTS.eventTargetMaxRetries,
    concurrency,
    context: contextOf('marketProcessor'),
    delivered: ({ event, result, origin }) => {
      const outcome = result as MarketProcessorResult;
      // A rejected event was dead-lettered (and counted) by the function itself.
      if (outcome.status === 'processed') {
        if (outcome.stored === 'exists') stats.eventsAlreadyStored++;
        else stats.eventsStored++;
      }
      const late = lateEvents.take(event.id);
      if (late) stats.problem({ kind: 'event', outcome: 'late', reason: lateReason(late), ...(origin && { origin }) });
    },
    unmatched: (event, origin) =>
      stats.problem({
        kind: 'event',
        outcome: 'unmatched',
        reason: `no rule on ${names.eventBus} matches source "${event.source}" and detail-type "${event['detail-type']}"`,
        ...(origin && { origin }),
      }),
    deadLetter: async (failure) => {
      lateEvents.take(failure.event.id);
      const reason = eventReason(failure.event, failure.reason);
      await eventsDlq.append([
        {
          event: failure.event as unknown as Record<string, unknown>,
          rule: failure.rule,
          attempts: failure.attempts,
          reason,
          deadLetteredAt: new Date().toISOString(),
          ...(failure.origin && { origin: failure.origin }),
        },
      ]);
      stats.problem({ kind: 'event', outcome: 'dead-lettered', reason, ...(failure.origin && { origin: failure.origin }) });
    },
  });

  return {
    ticksDlq,
    eventsDlq,
    sendTick: async (body, origin) => {
      stats.ticksIn++;
      await queue.send(body, origin);
    },
    putEvent: async (entry, origin) => {
      stats.eventsIn++;
      await bus.put(entry, origin);
    },
    redriveTick: async (letter) => {
      stats.ticksIn++;
      await queue.resend({ body: letter.body, originalMessageId: tickLetterId(letter), ...(letter.origin && { origin: letter.origin }) });
    },
    redriveEvent: async (letter) => {
      stats.eventsIn++;
      if (letter.truncated) {
        // Its detail was left out when it was dead-lettered: delivered again it could only fail, for another reason.
        await eventsDlq.append([letter]);
        const reason = `${letter.reason} (kept: its detail was left out, so it cannot be redriven; publish it again from its source)`;
        stats.problem({ kind: 'event', outcome: 'dead-lettered', reason, ...(letter.origin && { origin: letter.origin }) });
        return;
      }
      await bus.redeliver(letter.event as unknown as EventBridgeEvent<string, unknown>, letter.rule, letter.origin);
    },
    drain: async () => {
      const drained = await Promise.allSettled([queue.drain(), bus.drain()]);
      // A drain that failed may leave invocations running: let them end before anything closes the store.
      await Promise.all([queue.quiesce(), bus.quiesce()]);
      const failed = drained.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
