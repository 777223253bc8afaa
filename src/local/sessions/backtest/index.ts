/** `market-data backtest`: the deployed validation and alert engine over history files, in memory. */
export * from './feed.js';
export * from './rule-set.js';
export * from './moves-after.js';
export * from './rules-file.js';
export * from './session.js';
export * from './sweep.js';
