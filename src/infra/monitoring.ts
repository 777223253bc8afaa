import { Construct } from 'constructs';
import { CloudwatchDashboard } from '@cdktn/provider-aws/lib/cloudwatch-dashboard/index.js';
import type { CloudwatchEventRule } from '@cdktn/provider-aws/lib/cloudwatch-event-rule/index.js';
import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmConfig } from '@cdktn/provider-aws/lib/cloudwatch-metric-alarm/index.js';
import { alarmNames, BASE_NAMES, DEFAULTS, DEPLOYMENT_DEFAULTS, METRIC_DIMENSIONS, METRIC_NAMES } from '../resources/index.js';
import type { AwsAccount } from './account.js';
import type { EncryptedQueue, EncryptedTopic } from './messaging.js';
import type { PipelineFunction } from './processing.js';

export interface MonitoringProps {
  readonly environmentSuffix: string;
  readonly dashboardName: string;
  readonly account: AwsAccount;
  readonly dataProcessor: PipelineFunction;
  readonly marketProcessor: PipelineFunction;
  readonly tickQueue: EncryptedQueue;
  readonly tickDlq: EncryptedQueue;
  readonly eventsDlq: EncryptedQueue;
  readonly eventBusName: string;
  readonly eventRules: readonly CloudwatchEventRule[];
  /** Every alarm notifies this topic on ALARM and on OK. */
  readonly opsTopic: EncryptedTopic;
}

type AlarmSettings = Omit<CloudwatchMetricAlarmConfig, 'alarmActions' | 'okActions' | 'evaluationPeriods' | 'treatMissingData'>;

const PERIOD = DEPLOYMENT_DEFAULTS.alarmPeriodSeconds;

/**
 * Failed messages in percent of the ticks received. A period without ticks has no data (the alarm treats it as
 * not breaching); a missing FailedMessages point counts as none failed; failures without a TicksReceived point
 * count as 100 %, never as 0.
 */
const FAILED_RATE_EXPRESSION = 'IF(FILL(received, 0) > 0, 100 * FILL(failed, 0) / FILL(received, 0), IF(FILL(failed, 0) > 0, 100, 0))';

/** Late ticks of data-processor and market-processor in one period; a function without a data point adds none. */
const LATE_TICKS_EXPRESSION = 'FILL(data_processor, 0) + FILL(market_processor, 0)';

/** The pipeline's alarms (all to ops-alarms) and a dashboard of its health. */
export class Monitoring extends Construct {
  readonly alarms: CloudwatchMetricAlarm[] = [];
  private readonly createdAlarmNames: string[] = [];

  constructor(
    scope: Construct,
    id: string,
    private readonly props: MonitoringProps,
  ) {
    super(scope, id);
    const names = alarmNames(props.environmentSuffix);

    this.errorRateAlarm('data-processor-error-rate', names.dataProcessorErrorRate, props.dataProcessor);
    this.errorRateAlarm('market-processor-error-rate', names.marketProcessorErrorRate, props.marketProcessor);
    // data-processor reports failed messages as partial batch failures and never throws: Lambda Errors stays at 0.
    this.failedMessageRateAlarm('data-processor-failed-message-rate', names.dataProcessorFailedMessageRate);
    this.lateTicksAlarm('late-ticks', names.lateTicks);
    this.alarm('market-processor-duration', {
      alarmName: names.marketProcessorDuration,
      alarmDescription: `${props.marketProcessor.name}: average duration above ${DEPLOYMENT_DEFAULTS.durationThresholdMs} ms over ${PERIOD / 60} minutes`,
      namespace: 'AWS/Lambda',
      metricName: 'Duration',
      dimensions: { FunctionName: props.marketProcessor.name },
      statistic: 'Average',
      period: PERIOD,
      comparisonOperator: 'GreaterThanThreshold',
      threshold: DEPLOYMENT_DEFAULTS.durationThresholdMs,
    });
    this.dlqNotEmptyAlarm('market-data-dlq-not-empty', names.marketDataDlqNotEmpty, props.tickDlq);
    this.dlqNotEmptyAlarm('market-events-dlq-not-empty', names.marketEventsDlqNotEmpty, props.eventsDlq);

    // ARNs from the names: the key policy names them too, and the key is created before the alarms' topic.
    props.opsTopic.allowServiceToPublish(
      'cloudwatch.amazonaws.com',
      this.createdAlarmNames.map((name) => props.account.arn('cloudwatch', `alarm:${name}`)),
    );
    new CloudwatchDashboard(this, 'dashboard', { dashboardName: props.dashboardName, dashboardBody: this.dashboardBody() });
  }

  private alarm(id: string, settings: AlarmSettings): CloudwatchMetricAlarm {
    const alarm = new CloudwatchMetricAlarm(this, id, {
      ...settings,
      evaluationPeriods: 1,
      // No traffic is not a failure: the metrics below have no data points while nothing happens.
      treatMissingData: 'notBreaching',
      alarmActions: [this.props.opsTopic.arn],
      okActions: [this.props.opsTopic.arn],
    });
    this.alarms.push(alarm);
    this.createdAlarmNames.push(settings.alarmName);
    return alarm;
  }

  /** Errors ÷ invocations in percent: metric math, so that one error in a busy period is not an alarm. */
  private errorRateAlarm(id: string, name: string, fn: PipelineFunction): void {
    const lambdaMetric = (id: string, metricName: string) => ({
      id,
      returnData: false,
      metric: { namespace: 'AWS/Lambda', metricName, dimensions: { FunctionName: fn.name }, period: PERIOD, stat: 'Sum' },
    });
    this.alarm(id, {
      alarmName: name,
      alarmDescription: `${fn.name}: more than ${DEPLOYMENT_DEFAULTS.errorRateThresholdPercent}% of invocations failed over ${PERIOD / 60} minutes`,
      comparisonOperator: 'GreaterThanThreshold',
      threshold: DEPLOYMENT_DEFAULTS.errorRateThresholdPercent,
      metricQuery: [
        lambdaMetric('errors', 'Errors'),
        lambdaMetric('invocations', 'Invocations'),
        { id: 'error_rate', expression: 'IF(invocations > 0, 100 * errors / invocations, 0)', label: 'Error rate (%)', returnData: true },
      ],
    });
  }

  /**
   * One of a function's embedded-metric-format metrics in this environment (data-processor's unless said), with
   * exactly the dimensions the handler's Powertools Metrics emits (service = the function's base name, environment =
   * the suffix).
   */
  private emfMetric(metricName: string, service: string = BASE_NAMES.dataProcessor) {
    return {
      namespace: DEFAULTS.metricsNamespace,
      metricName,
      dimensions: { [METRIC_DIMENSIONS.service]: service, [METRIC_DIMENSIONS.environment]: this.props.environmentSuffix },
    };
  }

  /**
   * LateTicks of both functions, summed by metric math: both feed the alert engine, and a late tick means the same
   * whichever brought it (an alert may be missing). A function without a data point in the period counts as none.
   */
  private lateTicksAlarm(id: string, name: string): void {
    const late = (queryId: string, service: string) => ({
      id: queryId,
      returnData: false,
      metric: { ...this.emfMetric(METRIC_NAMES.lateTicks, service), period: PERIOD, stat: 'Sum' },
    });
    this.alarm(id, {
      alarmName: name,
      alarmDescription:
        `${this.props.dataProcessor.name}, ${this.props.marketProcessor.name}: ticks arrived beyond the lateness horizon over ${PERIOD / 60} minutes ` +
        '(counted and logged, but too late to be evaluated exactly): search both log groups for "late tick"',
      comparisonOperator: 'GreaterThanThreshold',
      threshold: DEPLOYMENT_DEFAULTS.lateTicksThreshold,
      metricQuery: [
        late('data_processor', BASE_NAMES.dataProcessor),
        late('market_processor', BASE_NAMES.marketProcessor),
        { id: 'late_ticks', expression: LATE_TICKS_EXPRESSION, label: 'Late ticks (both functions)', returnData: true },
      ],
    });
  }

  /** FailedMessages ÷ TicksReceived in percent, both from the handler's EMF metrics. */
  private failedMessageRateAlarm(id: string, name: string): void {
    const query = (id: string, metricName: string) => ({
      id,
      returnData: false,
      metric: { ...this.emfMetric(metricName), period: PERIOD, stat: 'Sum' },
    });
    this.alarm(id, {
      alarmName: name,
      alarmDescription:
        `${this.props.dataProcessor.name}: more than ${DEPLOYMENT_DEFAULTS.failedMessageRateThresholdPercent}% of the ticks received ` +
        `failed over ${PERIOD / 60} minutes (they are redelivered, then dead-lettered): see its log group for "message not processed"`,
      comparisonOperator: 'GreaterThanThreshold',
      threshold: DEPLOYMENT_DEFAULTS.failedMessageRateThresholdPercent,
      metricQuery: [
        query('failed', METRIC_NAMES.failedMessages),
        query('received', METRIC_NAMES.ticksReceived),
        { id: 'failed_rate', expression: FAILED_RATE_EXPRESSION, label: 'Failed messages (% of ticks received)', returnData: true },
      ],
    });
  }

  private dlqNotEmptyAlarm(id: string, name: string, queue: EncryptedQueue): void {
    this.alarm(id, {
      alarmName: name,
      alarmDescription: `${queue.name} holds messages that failed processing: inspect and redrive them`,
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: queue.name },
      statistic: 'Maximum',
      period: PERIOD,
      comparisonOperator: 'GreaterThanThreshold',
      threshold: 0,
    });
  }

  private dashboardBody(): string {
    const { props } = this;
    const region = props.account.region;
    const fns = [props.dataProcessor.name, props.marketProcessor.name];
    const widget = (title: string, metrics: unknown[][], stat: string, position: { x: number; y: number }) => ({
      type: 'metric',
      ...position,
      width: 12,
      height: 6,
      properties: { title, region, metrics, stat, period: PERIOD, view: 'timeSeries' },
    });
    const perFunction = (metricName: string) => fns.map((fn) => ['AWS/Lambda', metricName, 'FunctionName', fn]);
    const perQueue = (metricName: string, queues: EncryptedQueue[]) => queues.map((q) => ['AWS/SQS', metricName, 'QueueName', q.name]);
    const emf = (metricName: string, options?: Record<string, unknown>, service?: string) => {
      const { namespace, dimensions } = this.emfMetric(metricName, service);
      return [namespace, metricName, ...Object.entries(dimensions).flat(), ...(options ? [options] : [])];
    };
    return JSON.stringify({
      widgets: [
        { type: 'alarm', x: 0, y: 0, width: 24, height: 3, properties: { title: 'Alarms', alarms: this.alarms.map((a) => a.arn) } },
        widget('Invocations', perFunction('Invocations'), 'Sum', { x: 0, y: 3 }),
        widget('Errors and throttles', [...perFunction('Errors'), ...perFunction('Throttles')], 'Sum', { x: 12, y: 3 }),
        widget('Duration (ms)', perFunction('Duration'), 'Average', { x: 0, y: 9 }),
        widget(
          'EventBridge deliveries',
          props.eventRules.flatMap((rule) =>
            ['Invocations', 'FailedInvocations', 'InvocationsSentToDlq'].map((m) => [
              'AWS/Events',
              m,
              'EventBusName',
              props.eventBusName,
              'RuleName',
              rule.name,
            ]),
          ),
          'Sum',
          { x: 12, y: 9 },
        ),
        widget('Tick queue backlog', perQueue('ApproximateNumberOfMessagesVisible', [props.tickQueue]), 'Maximum', { x: 0, y: 15 }),
        widget('Oldest tick (s)', perQueue('ApproximateAgeOfOldestMessage', [props.tickQueue]), 'Maximum', { x: 12, y: 15 }),
        widget('Dead-letter queues', perQueue('ApproximateNumberOfMessagesVisible', [props.tickDlq, props.eventsDlq]), 'Maximum', { x: 0, y: 21 }),
        widget(
          'Ticks: received, processed, failed, invalid, late',
          [
            METRIC_NAMES.ticksReceived,
            METRIC_NAMES.ticksProcessed,
            METRIC_NAMES.failedMessages,
            METRIC_NAMES.invalidMessages,
            METRIC_NAMES.lateTicks,
          ].map((m) => emf(m)),
          'Sum',
          { x: 12, y: 21 },
        ),
        widget(
          'Failed messages (% of ticks received)',
          [
            emf(METRIC_NAMES.failedMessages, { id: 'failed', visible: false }),
            emf(METRIC_NAMES.ticksReceived, { id: 'received', visible: false }),
            [{ id: 'failed_rate', expression: FAILED_RATE_EXPRESSION, label: 'failed %' }],
          ],
          'Sum',
          { x: 0, y: 27 },
        ),
        widget(
          'Late ticks (beyond the lateness horizon)',
          [
            emf(METRIC_NAMES.lateTicks, { label: BASE_NAMES.dataProcessor }),
            emf(METRIC_NAMES.lateTicks, { label: BASE_NAMES.marketProcessor }, BASE_NAMES.marketProcessor),
          ],
          'Sum',
          { x: 12, y: 27 },
        ),
      ],
    });
  }
}
