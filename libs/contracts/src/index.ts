export * from './envelope';
export * from './events/article-ingested.v1';
export * from './events/article-source-added.v1';
export * from './events/article-classified.v1';
export * from './events/diplomatic';
export * from './events/diplomatic-event-detected.v1';
export * from './registry';
export * from './subjects';
