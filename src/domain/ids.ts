import { createHash } from 'node:crypto';
import type { AlertType } from './types.js';

const digest = (parts: readonly (string | number)[]): string => createHash('sha256').update(parts.join('\u001f')).digest('hex').slice(0, 32);

/** Identity of a price observation: redeliveries and duplicate sends of the same tick share it. */
export const tickKey = (symbol: string, eventTime: number, price: number): string => digest(['tick', symbol, eventTime, price]);

/** Identity of a message's content, for a tick whose key depends on when its message was sent (Tick.source). */
export const messageSource = (body: string): string => digest(['message', body]);

/** Deterministic alert id: one tick entering one zone is one alert, however often it is processed. */
export const alertId = (key: string, alertType: AlertType): string => digest(['alert', key, alertType]);

/** Sort key of an alert item: ordered by event time, unique per alert. */
export const alertSortKey = (eventTime: number, id: string): string => `${new Date(eventTime).toISOString()}#${id}`;
