export * from './eventually';
export * from './nats';
