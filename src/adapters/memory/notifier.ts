import type { Alert } from '../../domain/index.js';
import type { Deadline, DeliveryFailures, Notifier } from '../../pipeline/ports.js';

/** A notifier that accepts everything and sends nothing: a backtest notifies nobody. */
export class SilentNotifier implements Notifier {
  async notify(_alerts: readonly Alert[], _deadline?: Deadline): Promise<DeliveryFailures> {
    return new Map();
  }
}
