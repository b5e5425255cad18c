export * from './diplomatic-event.projection';
export * from './consolidation';
export * from './read-model-batch';
export * from './country-counts';
