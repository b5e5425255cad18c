import { Module } from '@nestjs/common';
import { parseAddressAllowList, parseSecretKey, receiverAddressPolicy } from '@diplowatch/domain';
import { JetStreamService, messagingOptionsProvider } from '@diplowatch/messaging';
import { PERSISTENCE_OPTIONS, type PersistenceOptions, PrismaService } from '@diplowatch/persistence';
import { HealthModule } from '@diplowatch/runtime';
import { type AlerterEnv } from './alerter.env';
import { ALERTER_OPTIONS, type AlerterOptions, AlerterService } from './alerter.service';
import { DeliveryStore } from './delivery/delivery-store';
import { DELIVERY_OPTIONS, type DeliveryOptions, DeliveryWorker } from './delivery/delivery-worker';
import { ReceiverClient } from './delivery/receiver-client';
import { DigestScheduler } from './digest/digest-scheduler';
import { AlertMatcher } from './matching/alert-matcher';
import { SubscriptionCache } from './matching/subscription-cache';

export function alerterModule(env: AlerterEnv) {
  const receiverClient = new ReceiverClient({
    timeoutMs: env.ALERT_ATTEMPT_TIMEOUT_MS,
    userAgent: env.USER_AGENT,
    isAllowedAddress: receiverAddressPolicy(parseAddressAllowList(env.ALERT_RECEIVER_ALLOWLIST)),
  });

  @Module({
    imports: [HealthModule],
    providers: [
      messagingOptionsProvider(env, 'alerter'),
      {
        provide: PERSISTENCE_OPTIONS,
        useValue: {
          databaseUrl: env.DATABASE_URL,
          poolSize: env.DATABASE_POOL_SIZE,
        } satisfies PersistenceOptions,
      },
      {
        provide: ALERTER_OPTIONS,
        useValue: {
          durable: env.ALERTER_DURABLE,
          digestIntervalMs: env.ALERT_DIGEST_INTERVAL_MS,
          digestGraceMs: env.ALERT_DIGEST_GRACE_MS,
          alertStreamMaxAgeDays: env.ALERT_STREAM_MAX_AGE_DAYS,
          alertStreamReplicas: env.STREAM_REPLICAS,
        } satisfies AlerterOptions,
      },
      {
        provide: DELIVERY_OPTIONS,
        useValue: {
          concurrency: env.ALERT_CONCURRENCY,
          perReceiverConcurrency: env.ALERT_RECEIVER_CONCURRENCY,
          pollIntervalMs: env.ALERT_POLL_INTERVAL_MS,
          attemptTimeoutMs: env.ALERT_ATTEMPT_TIMEOUT_MS,
          retry: {
            baseMs: env.ALERT_RETRY_BASE_MS,
            maxMs: env.ALERT_RETRY_MAX_MS,
            maxAttempts: env.ALERT_MAX_ATTEMPTS,
          },
          secretKey: parseSecretKey(env.ALERT_SECRET_KEY),
        } satisfies DeliveryOptions,
      },
      { provide: ReceiverClient, useValue: receiverClient },
      JetStreamService,
      PrismaService,
      SubscriptionCache,
      AlertMatcher,
      DeliveryStore,
      DeliveryWorker,
      DigestScheduler,
      AlerterService,
    ],
  })
  class AlerterModule {}
  return AlerterModule;
}
