import { Construct } from 'constructs';
import type { ResourceNames } from '../resources/index.js';
import type { Encryption } from './encryption.js';
import { EncryptedTopic } from './messaging.js';

export interface NotificationsProps {
  readonly names: ResourceNames;
  readonly encryption: Encryption;
}

/** trading-alerts (alerts for traders, published by both functions) and ops-alarms (CloudWatch alarms for operators). */
export class Notifications extends Construct {
  readonly tradingAlerts: EncryptedTopic;
  readonly opsAlarms: EncryptedTopic;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    this.tradingAlerts = new EncryptedTopic(this, 'trading-alerts', { name: props.names.tradingAlertsTopic, encryption: props.encryption });
    this.opsAlarms = new EncryptedTopic(this, 'ops-alarms', { name: props.names.opsAlarmsTopic, encryption: props.encryption });
  }
}
