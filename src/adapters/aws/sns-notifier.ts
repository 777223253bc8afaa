import { PublishBatchCommand, type PublishBatchRequestEntry, type SNSClient } from '@aws-sdk/client-sns';
import type { Alert } from '../../domain/index.js';
import type { Deadline, DeliveryFailures, Notifier } from '../../pipeline/ports.js';
import { PipelineFailure } from '../../pipeline/failures.js';
import { alertRecord } from '../alert-record.js';
import { chunk, uniqueAlerts } from './batching.js';
import { DEFAULT_BACKOFF, isolatingRejections, retryPending, type BackoffOptions } from './retry.js';

/** SNS PublishBatch limit. */
const PUBLISH_BATCH_MAX = 10;

function notificationOf(alert: Alert, environment: string): PublishBatchRequestEntry {
  const item = alertRecord(alert, environment);
  return {
    Id: alert.alertId,
    Subject: `Trading alert: ${alert.symbol} ${alert.alertType}`,
    Message: JSON.stringify(item),
    // Subscribers filter on these (e.g. only HIGH alerts for one desk's symbols, or only crossings).
    MessageAttributes: {
      symbol: { DataType: 'String', StringValue: alert.symbol },
      alert_type: { DataType: 'String', StringValue: alert.alertType },
      alert_id: { DataType: 'String', StringValue: alert.alertId },
      kind: { DataType: 'String', StringValue: item.kind! },
    },
  };
}

/** Trading alerts through SNS, 10 per PublishBatch call, failed entries retried while the deadline allows. */
export class SnsNotifier implements Notifier {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
    private readonly environment: string,
    private readonly backoff: BackoffOptions = DEFAULT_BACKOFF,
  ) {}

  async notify(alerts: readonly Alert[], deadline: Deadline): Promise<DeliveryFailures> {
    const failures: DeliveryFailures = new Map();
    await Promise.all(
      chunk(uniqueAlerts(alerts), PUBLISH_BATCH_MAX).map(async (entries) => {
        const permanent = new Map<string, string>();
        const attempt = (part: readonly Alert[]) =>
          retryPending(part, (pending, signal) => this.publish(pending, permanent, signal), deadline, this.backoff);
        const refused = await isolatingRejections(entries, attempt);
        for (const [id, why] of permanent) failures.set(id, new PipelineFailure('notification', `notification rejected: ${why}`));
        for (const { item, reason } of refused)
          failures.set(item.alertId, new PipelineFailure('notification', `notification not accepted: ${reason}`));
      }),
    );
    return failures;
  }

  /** One PublishBatch; entries SNS rejects as our fault are not retried but recorded in `permanent`. */
  private async publish(alerts: readonly Alert[], permanent: Map<string, string>, abortSignal: AbortSignal): Promise<readonly Alert[]> {
    const response = await this.client.send(
      new PublishBatchCommand({ TopicArn: this.topicArn, PublishBatchRequestEntries: alerts.map((a) => notificationOf(a, this.environment)) }),
      { abortSignal },
    );
    const retry = new Set<string>();
    for (const failed of response.Failed ?? []) {
      if (failed.SenderFault) permanent.set(failed.Id ?? '', [failed.Code, failed.Message].filter(Boolean).join(': '));
      else retry.add(failed.Id ?? '');
    }
    return alerts.filter((a) => retry.has(a.alertId));
  }
}
