import { Module } from '@nestjs/common';
import { type IngesterEnv } from '@diplowatch/config';
import { JetStreamService, messagingOptionsProvider } from '@diplowatch/messaging';
import { HealthModule } from '@diplowatch/runtime';
import { FeedPollerService, INGESTER_OPTIONS, type IngesterOptions } from './feed-poller.service';
import { loadFeedsConfig } from './feeds-config';

export function ingesterModule(env: IngesterEnv) {
  const options: IngesterOptions = {
    feeds: loadFeedsConfig(env.FEEDS_FILE, env.FEED_URLS),
    pollIntervalMs: env.POLL_INTERVAL_SECONDS * 1000,
    fetchTimeoutMs: env.FETCH_TIMEOUT_MS,
    fetchMaxBytes: env.FETCH_MAX_BYTES,
    allowPrivateNetworks: env.ALLOW_PRIVATE_NETWORKS,
    userAgent: env.USER_AGENT,
    namespace: env.DW_NAMESPACE,
  };
  @Module({
    imports: [HealthModule],
    providers: [
      messagingOptionsProvider(env, 'ingester'),
      { provide: INGESTER_OPTIONS, useValue: options },
      JetStreamService,
      FeedPollerService,
    ],
  })
  class IngesterModule {}
  return IngesterModule;
}
