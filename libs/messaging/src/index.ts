export * from './nats-connection';
export * from './jetstream-setup';
export * from './event-publisher';
export * from './event-consumer';
export * from './messaging.module';
export * from './messaging-metrics';
