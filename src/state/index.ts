export * from './map-state.js';
export * from './encode-value.js';
export * from './map-entries.js';
export * from './state-file.js';
