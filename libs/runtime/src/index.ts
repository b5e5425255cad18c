export * from './bootstrap';
export * from './health';
export * from './access';
export * from './metrics';
