export * from './ports.js';
export * from './deadline.js';
export * from './errors.js';
export * from './failures.js';
export * from './alerting.js';
export * from './process-ticks.js';
export * from './process-market-event.js';
