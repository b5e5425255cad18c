export * from './eventually';
export * from './nats';
export * from './database';
export * from './feed-server';
export * from './pipeline';
export * from './news-events';
export * from './feed-corpus';
