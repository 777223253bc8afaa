export * from './clients.js';
export * from './retry.js';
export * from './alert-items.js';
export * from './alert-store.js';
export * from './rule-state-store.js';
export * from './sns-notifier.js';
export * from './market-data-store.js';
export * from './audit-log.js';
