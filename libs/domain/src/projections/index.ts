export * from './diplomatic-event.projection';
