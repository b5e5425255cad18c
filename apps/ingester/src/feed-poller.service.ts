import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { feedCondition, type FeedCondition } from '@diplowatch/domain';
import { JetStreamService } from '@diplowatch/messaging';
import { PrismaService } from '@diplowatch/persistence';
import { HealthRegistry, MetricsService } from '@diplowatch/runtime';
import { ArticlePublisher } from './article-publisher';
import { KnownItems } from './known-items';
import { type FetchSettings } from './feed-fetch';
import { type FeedConfig } from './feeds-config';
import { fetchMainText } from './full-text/extract-main-text';
import { IngesterMetrics } from './ingester.metrics';
import { FeedPoller } from './polling/feed-poller';
import { FeedRegistry, feedConditionRows } from './registry/feed-registry';
import { SeenArticles } from './seen-articles.store';

export const INGESTER_OPTIONS = Symbol('INGESTER_OPTIONS');
export type IngesterOptions = {
  /** Seed list: added to the registry at boot when not there yet. */
  seed: FeedConfig[];
  /** Interval of seeded feeds that name none, seconds. */
  defaultIntervalSeconds: number;
  concurrency: number;
  hostConcurrency: number;
  leaseSeconds: number;
  tickMs: number;
  maxBackoffSeconds: number;
  fetch: FetchSettings;
  namespace: string;
  workerId?: string;
};

const CONDITION_REFRESH_MS = 30_000;

/**
 * Boots the ingester: waits for Postgres and NATS, seeds the registry, then runs the FeedPoller
 * until shutdown, which lets running polls finish and gives unstarted claims back.
 */
@Injectable()
export class FeedPollerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('FeedPoller');
  private poller: FeedPoller | undefined;
  private conditionTimer: NodeJS.Timeout | undefined;
  private readonly metrics: IngesterMetrics | undefined;
  readonly workerId: string;

  constructor(
    private readonly jetstream: JetStreamService,
    private readonly prisma: PrismaService,
    private readonly health: HealthRegistry,
    @Inject(INGESTER_OPTIONS) private readonly options: IngesterOptions,
    @Optional() metricsService?: MetricsService,
  ) {
    this.metrics = metricsService ? new IngesterMetrics(metricsService.registry) : undefined;
    this.workerId = options.workerId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.health.register('nats', async () => ({ ok: this.jetstream.isConnected() }));
    this.health.register('database', () => this.prisma.ping());
    await this.prisma.waitUntilReady();
    await this.jetstream.connect();
    const seen = await SeenArticles.open(this.jetstream.connection, this.options.namespace);
    const registry = new FeedRegistry(this.prisma.client);
    const added = await registry.seed(
      this.options.seed.map((feed) => ({
        url: feed.url,
        title: feed.title ?? null,
        language: feed.language ?? null,
        pollIntervalSeconds: feed.pollIntervalSeconds,
        options: { fetchFullText: feed.fetchFullText ?? false },
      })),
      'config',
      this.options.defaultIntervalSeconds,
    );
    const fetch = this.options.fetch;
    const articles = new ArticlePublisher({
      seen,
      publish: (event) => this.jetstream.publisher.publish(event),
      fetchMainText: (url) => fetchMainText(url, fetch),
      knownItems: new KnownItems(),
    });
    this.poller = new FeedPoller(
      registry,
      articles,
      {
        workerId: this.workerId,
        concurrency: this.options.concurrency,
        hostConcurrency: this.options.hostConcurrency,
        leaseSeconds: this.options.leaseSeconds,
        tickMs: this.options.tickMs,
        maxBackoffSeconds: this.options.maxBackoffSeconds,
        fetch,
      },
      { logger: this.logger, metrics: this.metrics, canPoll: () => this.jetstream.isConnected() },
    );
    const active = (await registry.list()).filter((feed) => feed.enabled).length;
    this.logger.log(
      `registry: ${added} feed(s) seeded, ${active} enabled; polling as ${this.workerId} ` +
        `(concurrency ${this.options.concurrency}, ${this.options.hostConcurrency} per host)`,
    );
    this.poller.start();
    // In-flight polls finish publishing before the NATS connection drains.
    const poller = this.poller;
    this.jetstream.beforeDrain(() => poller.stop());
    if (this.metrics) {
      const refresh = () => void this.refreshConditions();
      this.conditionTimer = setInterval(refresh, CONDITION_REFRESH_MS);
      refresh();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.conditionTimer) clearInterval(this.conditionTimer);
    await this.poller?.stop();
  }

  private async refreshConditions(): Promise<void> {
    try {
      const now = new Date();
      const counts: Partial<Record<FeedCondition, number>> = {};
      for (const row of await feedConditionRows(this.prisma.client)) {
        const condition = feedCondition(row, now);
        counts[condition] = (counts[condition] ?? 0) + 1;
      }
      this.metrics?.feedConditions(counts);
    } catch (error) {
      this.logger.warn(`counting feeds by condition failed: ${(error as Error).message}`);
    }
  }
}
