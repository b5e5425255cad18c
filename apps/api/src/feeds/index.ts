import { type Provider } from '@nestjs/common';
import { type ApiEnv } from '@diplowatch/config';
import { PrismaService } from '@diplowatch/persistence';
import { FEEDS_OPTIONS, FeedsController, type FeedsOptions } from './feeds.controller';
import { FeedRegistry } from './registry';

export const feedControllers = [FeedsController];

export function feedProviders(env: ApiEnv): Provider[] {
  const options: FeedsOptions = {
    defaultIntervalSeconds: env.POLL_INTERVAL_SECONDS,
    fetch: {
      timeoutMs: env.FETCH_TIMEOUT_MS,
      maxBytes: env.FETCH_MAX_BYTES,
      allowPrivateNetworks: env.ALLOW_PRIVATE_NETWORKS,
      userAgent: env.USER_AGENT,
    },
  };
  return [
    { provide: FEEDS_OPTIONS, useValue: options },
    {
      provide: FeedRegistry,
      useFactory: (prisma: PrismaService) => new FeedRegistry(prisma.client),
      inject: [PrismaService],
    },
  ];
}
