export * from './prisma-client';
export * from './prisma.service';
export * from './migrations';
