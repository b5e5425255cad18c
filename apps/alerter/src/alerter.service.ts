import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  DiscardPolicy,
  JetStreamApiError,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { type Subscription } from '@nats-io/transport-node';
import { type AlertTopology, alertTopology } from '@diplowatch/domain';
import { EventConsumer, JetStreamService, ensureDurableConsumer } from '@diplowatch/messaging';
import { PrismaService } from '@diplowatch/persistence';
import { HealthRegistry } from '@diplowatch/runtime';
import { type StoredAlert } from './alert-store';
import { DeliveryWorker } from './delivery/delivery-worker';
import { ReceiverClient } from './delivery/receiver-client';
import { DigestScheduler } from './digest/digest-scheduler';
import { AlertMatcher } from './matching/alert-matcher';

export const ALERTER_OPTIONS = Symbol('ALERTER_OPTIONS');
export type AlerterOptions = {
  durable: string;
  digestIntervalMs: number;
  digestGraceMs: number;
  alertStreamMaxAgeDays: number;
  /** As the event log's (STREAM_REPLICAS): 3 on a cluster. */
  alertStreamReplicas: number;
};

// Generous: a detection is only dead-lettered after ~45 minutes of failures (a database outage, say).
const MAX_DELIVER = 50;
const MAX_BATCH = 200;
const NANOS_PER_SECOND = 1_000_000_000;

/**
 * The alerting app: a durable consumer of DiplomaticEventDetected that stores alerts (the
 * matcher), a worker that delivers them, and a timer for digests. Replicas share the consumer
 * and claim deliveries with SKIP LOCKED, so any number of them can run.
 */
@Injectable()
export class AlerterService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Alerter');
  private consumer: EventConsumer | undefined;
  private wakeSubscription: Subscription | undefined;
  private digestTimer: NodeJS.Timeout | undefined;
  private digestRun: Promise<unknown> = Promise.resolve();
  private topology: AlertTopology | undefined;

  constructor(
    private readonly jetstream: JetStreamService,
    private readonly prisma: PrismaService,
    private readonly health: HealthRegistry,
    private readonly matcher: AlertMatcher,
    private readonly worker: DeliveryWorker,
    private readonly digests: DigestScheduler,
    private readonly receivers: ReceiverClient,
    @Inject(ALERTER_OPTIONS) private readonly options: AlerterOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.health.register('database', () => this.prisma.ping());
    this.health.register('nats', async () => ({ ok: this.jetstream.isConnected() }));
    await this.prisma.waitUntilReady();
    await this.jetstream.connect();
    const { topology } = this.jetstream;
    this.topology = alertTopology(topology.namespace);
    await this.ensureAlertStream(this.jetstream.jsm, this.topology);

    // Deliveries first: alerts stored before a restart go out at once.
    this.worker.start();
    const nc = this.jetstream.connection;
    this.wakeSubscription = nc.subscribe(this.topology.deliveryWakeSubject, {
      callback: () => this.worker.wake(),
    });

    await ensureDurableConsumer(this.jetstream.jsm, {
      stream: topology.eventStream,
      durable: this.options.durable,
      filterSubject: topology.subjectFor('DiplomaticEventDetected'),
      maxDeliver: MAX_DELIVER,
      ackWaitSeconds: 30,
    });
    this.consumer = new EventConsumer({
      js: this.jetstream.js,
      topology,
      durable: this.options.durable,
      maxDeliver: MAX_DELIVER,
      logger: this.logger,
      // Batches: one transaction for what has arrived, however much that is, so the cost per
      // detection falls as the rate rises (no lingering: a lone detection goes at once).
      maxBatch: MAX_BATCH,
      metrics: this.jetstream.metrics,
      batchHandler: async (batch) => this.announce(await this.matcher.applyBatch(batch)),
    });
    const consumer = this.consumer;
    this.jetstream.beforeDrain(async () => {
      await consumer.stop();
      await this.worker.stop();
    });
    await consumer.start();

    this.digestTimer = setInterval(() => this.runDigests(), this.options.digestIntervalMs);
    this.digestTimer.unref();
    this.runDigests();
    this.logger.log(
      `matching ${topology.subjectFor('DiplomaticEventDetected')} with durable consumer "${this.options.durable}"`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.digestTimer) clearInterval(this.digestTimer);
    await this.digestRun;
    await this.consumer?.stop();
    await this.worker.stop();
    this.receivers.close();
    this.wakeSubscription?.unsubscribe();
  }

  /** New alerts: deliver now, and tell the API's SSE streams (best effort: they also poll). */
  private announce(stored: StoredAlert[]): void {
    if (stored.length === 0 || !this.topology) return;
    if (stored.some((alert) => alert.deliveries > 0)) this.worker.wake();
    const subscriptions = [...new Set(stored.map((alert) => alert.subscriptionId))];
    try {
      this.jetstream.connection.publish(this.topology.alertNotifySubject, JSON.stringify({ subscriptions }));
    } catch (error) {
      this.logger.warn(`could not announce new alerts: ${(error as Error).message}`);
    }
  }

  private runDigests(): void {
    this.digestRun = this.digestRun
      .then(() => this.digests.runOnce(new Date(), this.options.digestGraceMs))
      .then((stored) => this.announce(stored))
      .catch((error: unknown) => this.logger.warn(`digests failed: ${(error as Error).message}`));
  }

  /** The stream behind the "nats" channel: alerts kept for internal consumers, deduplicated by alert id. */
  private async ensureAlertStream(jsm: JetStreamManager, topology: AlertTopology): Promise<void> {
    const config = {
      name: topology.alertStream,
      subjects: [topology.alertSubjects],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      max_age: this.options.alertStreamMaxAgeDays * 24 * 3600 * NANOS_PER_SECOND,
      duplicate_window: 120 * NANOS_PER_SECOND,
      num_replicas: this.options.alertStreamReplicas,
    };
    try {
      await jsm.streams.info(config.name);
    } catch (error) {
      if (!(error instanceof JetStreamApiError) || !/not found/i.test(error.message)) throw error;
      try {
        await jsm.streams.add(config);
      } catch (addError) {
        if (!/already (exists|in use)/i.test((addError as Error).message)) throw addError;
      }
    }
  }
}
