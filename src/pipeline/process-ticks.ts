import { parseTick, type Alert, type Tick } from '../domain/index.js';
import { raiseAlerts, type AlertingLog } from './alerting.js';
import type { PipelineFailure } from './failures.js';
import type { AlertingPorts, Deadline } from './ports.js';

export interface TickMessage {
  readonly messageId: string;
  readonly body: string;
  /** When the queue received it (epoch ms). */
  readonly sentTimestamp: number;
}

export type MessageOutcome =
  | {
      readonly messageId: string;
      readonly status: 'ok';
      readonly tick: Tick;
      readonly alerts: readonly Alert[];
      readonly raised: readonly Alert[];
      /** Beyond the lateness horizon: acknowledged without changing the symbol's runs. */
      readonly late: boolean;
    }
  | { readonly messageId: string; readonly status: 'invalid'; readonly reason: string }
  | { readonly messageId: string; readonly status: 'failed'; readonly failure: PipelineFailure; readonly tick: Tick };

/**
 * Process one batch of tick messages. Every message gets its own outcome: invalid messages never affect their
 * siblings, and a message is 'ok' only when its alerts (if any) are durable and accepted for notification.
 */
export async function processTicks(
  messages: readonly TickMessage[],
  ports: AlertingPorts,
  deadline: Deadline,
  log: AlertingLog,
  now: number = Date.now(),
): Promise<MessageOutcome[]> {
  const parsed = messages.map((message) => ({ message, result: parseTick(message, now) }));
  const ticks = parsed.flatMap(({ result }) => (result.ok ? [result.value] : []));
  const outcomes = await raiseAlerts(ticks, ports, deadline, log, now);
  return parsed.map(({ message, result }): MessageOutcome => {
    if (!result.ok) return { messageId: message.messageId, status: 'invalid', reason: result.reason };
    // raiseAlerts answers for every tick it is given.
    const outcome = outcomes.get(result.value.key)!;
    if (!outcome.ok) return { messageId: message.messageId, status: 'failed', failure: outcome.failure, tick: result.value };
    return { messageId: message.messageId, status: 'ok', tick: result.value, alerts: outcome.alerts, raised: outcome.raised, late: outcome.late };
  });
}
