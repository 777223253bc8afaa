export * from './types.js';
export * from './ids.js';
export * from './validation.js';
export * from './structure.js';
export * from './tick.js';
export * from './market-event.js';
export * from './window.js';
export * from './alert-engine.js';
