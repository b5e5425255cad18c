import { createHash } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { createEvent } from '@diplowatch/contracts';
import { parseFeed, toArticleIngested } from '@diplowatch/domain';
import { JetStreamService } from '@diplowatch/messaging';
import { HealthRegistry } from '@diplowatch/runtime';
import { type FeedConfig } from './feeds-config';
import { safeFetch } from './http/safe-fetch';
import { IngestionState } from './seen-articles.store';

export const INGESTER_OPTIONS = Symbol('INGESTER_OPTIONS');
export type IngesterOptions = {
  feeds: FeedConfig[];
  pollIntervalMs: number;
  fetchTimeoutMs: number;
  fetchMaxBytes: number;
  allowPrivateNetworks: boolean;
  userAgent: string;
  namespace: string;
};

export type PollOutcome = {
  feedUrl: string;
  status: 'published' | 'not_modified' | 'failed';
  published: number;
  items: number;
  error?: string;
};

const digest = (...parts: string[]) =>
  createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 40);

/**
 * Polls every configured feed on its interval (with jitter so feeds do not all fire at
 * once) and publishes one ArticleIngested per new article or changed revision.
 */
@Injectable()
export class FeedPollerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('FeedPoller');
  private state: IngestionState | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<unknown>>();
  private stopped = false;
  readonly lastOutcomes = new Map<string, PollOutcome>();

  constructor(
    private readonly jetstream: JetStreamService,
    private readonly health: HealthRegistry,
    @Inject(INGESTER_OPTIONS) private readonly options: IngesterOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.health.register('nats', async () => ({ ok: this.jetstream.isConnected() }));
    await this.jetstream.connect();
    this.state = await IngestionState.open(this.jetstream.connection, this.options.namespace);
    this.logger.log(
      `polling ${this.options.feeds.length} feed(s) every ${this.options.pollIntervalMs / 1000} s`,
    );
    for (const feed of this.options.feeds)
      this.schedule(feed, Math.random() * Math.min(2000, this.options.pollIntervalMs));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    await Promise.allSettled([...this.running]);
  }

  private schedule(feed: FeedConfig, delayMs: number) {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const run = this.pollFeed(feed).finally(() => {
        this.running.delete(run);
        const jitter = 0.9 + Math.random() * 0.2;
        this.schedule(feed, this.options.pollIntervalMs * jitter);
      });
      this.running.add(run);
    }, delayMs);
    this.timers.add(timer);
  }

  async pollFeed(feed: FeedConfig): Promise<PollOutcome> {
    const outcome = await this.fetchAndPublish(feed).catch((error: unknown): PollOutcome => ({
      feedUrl: feed.url,
      status: 'failed',
      published: 0,
      items: 0,
      error: (error as Error).message,
    }));
    this.lastOutcomes.set(feed.url, outcome);
    if (outcome.status === 'failed') this.logger.warn(`${feed.url}: ${outcome.error}`);
    else if (outcome.published > 0)
      this.logger.log(`${feed.url}: ${outcome.published} new of ${outcome.items}`);
    return outcome;
  }

  private async fetchAndPublish(feed: FeedConfig): Promise<PollOutcome> {
    const state = this.state!;
    const validators = await state.feedState(feed.url);
    const response = await safeFetch(feed.url, {
      timeoutMs: this.options.fetchTimeoutMs,
      maxBytes: this.options.fetchMaxBytes,
      maxRedirects: 5,
      allowPrivateNetworks: this.options.allowPrivateNetworks,
      userAgent: this.options.userAgent,
      etag: validators.etag ?? undefined,
      lastModified: validators.lastModified ?? undefined,
    });
    if (response.notModified) return { feedUrl: feed.url, status: 'not_modified', published: 0, items: 0 };

    const fetchedAt = new Date();
    const parsed = await parseFeed(response.body, {
      feedUrl: response.url,
      contentType: response.headers['content-type'] ?? null,
    });
    let published = 0;
    for (const item of parsed.items) {
      const data = toArticleIngested(item, { feedUrl: feed.url, fetchedAt, language: feed.language ?? null });
      if ((await state.seenContentHash(data.articleId)) === data.contentHash) continue;
      const event = createEvent('ArticleIngested', {
        id: `ArticleIngested:${digest(data.articleId, data.contentHash)}`,
        occurredAt: fetchedAt,
        data,
      });
      await this.jetstream.publisher.publish(event);
      await state.markSeen(data.articleId, data.contentHash);
      published++;
    }
    // Saved only after every item is published, so a crash mid-feed refetches the whole feed.
    await state.saveFeedState(feed.url, { etag: response.etag, lastModified: response.lastModified });
    return { feedUrl: feed.url, status: 'published', published, items: parsed.items.length };
  }
}
