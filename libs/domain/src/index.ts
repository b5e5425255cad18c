// Pure domain logic: no NestJS, NATS, Prisma or I/O. Time and lookups are passed in.
export * from './classification';
export * from './feeds';
export * from './projections';
export * from './articles';
export * from './polling';
export * from './auth';
export * from './queries';
export * from './alerts';
