import { Module } from '@nestjs/common';
import { type IngesterEnv } from '@diplowatch/config';
import { JetStreamService, messagingOptionsProvider } from '@diplowatch/messaging';
import { PERSISTENCE_OPTIONS, PrismaService } from '@diplowatch/persistence';
import { HealthModule } from '@diplowatch/runtime';
import { FeedPollerService, INGESTER_OPTIONS, type IngesterOptions } from './feed-poller.service';
import { loadFeedsConfig } from './feeds-config';

export function ingesterModule(env: IngesterEnv) {
  const options: IngesterOptions = {
    seed: loadFeedsConfig(env.FEEDS_FILE, env.FEED_URLS),
    defaultIntervalSeconds: env.POLL_INTERVAL_SECONDS,
    concurrency: env.POLL_CONCURRENCY,
    hostConcurrency: env.POLL_HOST_CONCURRENCY,
    leaseSeconds: env.POLL_LEASE_SECONDS,
    tickMs: env.POLL_TICK_MS,
    maxBackoffSeconds: env.POLL_MAX_BACKOFF_SECONDS,
    fetch: {
      timeoutMs: env.FETCH_TIMEOUT_MS,
      maxBytes: env.FETCH_MAX_BYTES,
      allowPrivateNetworks: env.ALLOW_PRIVATE_NETWORKS,
      userAgent: env.USER_AGENT,
    },
    namespace: env.DW_NAMESPACE,
    workerId: env.INGESTER_ID,
  };
  @Module({
    imports: [HealthModule],
    providers: [
      messagingOptionsProvider(env, 'ingester'),
      {
        provide: PERSISTENCE_OPTIONS,
        useValue: { databaseUrl: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE },
      },
      { provide: INGESTER_OPTIONS, useValue: options },
      PrismaService,
      JetStreamService,
      FeedPollerService,
    ],
  })
  class IngesterModule {}
  return IngesterModule;
}
