export * from './eventually';
export * from './nats';
export * from './database';
