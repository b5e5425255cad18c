export * from './event-query';
export * from './query-problems';
export * from './event-cursor';
export * from './csv';
export * from './event-export';
export * from './event-history';
export * from './actor-query';
