import { Logger, type LoggerService } from '@nestjs/common';
import {
  FAILING_LONG_AFTER_SECONDS,
  type FeedHealthPatch,
  type FeedHealthState,
  isThrottled,
  nextFeedHealth,
  type PollResult,
} from '@diplowatch/domain';
import { type ArticlePublisher, PublishFailedError, type PublishReport } from '../article-publisher';
import { type FetchSettings, fetchFeedForPoll } from '../feed-fetch';
import { type IngesterMetrics, type PollMetricOutcome } from '../ingester.metrics';
import { type ClaimedFeed, type FeedRegistry } from '../registry/feed-registry';
import { HostLimiter } from './host-limiter';
import { PollRecorder } from './poll-recorder';

export type FeedPollerOptions = {
  /** This replica's name in leases. */
  workerId: string;
  concurrency: number;
  hostConcurrency: number;
  leaseSeconds: number;
  tickMs: number;
  maxBackoffSeconds: number;
  fetch: FetchSettings;
};

export type PollReport = {
  feed: ClaimedFeed;
  outcome: PollMetricOutcome;
  result: PollResult;
  articles: PublishReport | null;
  patch: FeedHealthPatch;
  /** False when the lease was lost before the outcome could be written (another replica took over). */
  recorded: boolean;
};

export type FeedPollerHooks = {
  logger: LoggerService;
  metrics?: IngesterMetrics;
  /** Claiming pauses while this is false (e.g. NATS is away: polling could not publish). */
  canPoll?: () => boolean;
  /** Called after every poll (tests and benches observe progress here). */
  onPoll?: (report: PollReport) => void;
};

type Fetched = {
  result: PollResult;
  outcome: PollMetricOutcome;
  articles: PublishReport | null;
  /** Set when a document was published in full: the next poll skips the same bytes. */
  bodyHash?: string;
};

type Polled = Fetched & { started: number };

const hostOf = (url: string) => {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return url;
  }
};

/**
 * The polling loop of one ingester replica. Every tick it claims due feeds from the shared
 * registry (FOR UPDATE SKIP LOCKED + lease), keeping at most 8 × concurrency claimed and not yet
 * fetched, and runs them under a global and a per-host concurrency limit. Each poll's outcome is written back with
 * the next check time (interval with jitter, or backoff), which ends the lease.
 *
 * Failures stay with their feed: a fetch error, a rejected document or even a bug while polling
 * one feed is recorded on that feed and never stops the loop or the other feeds.
 */
export class FeedPoller {
  private readonly limiter: HostLimiter;
  private readonly recorder: PollRecorder;
  private readonly claimed = new Map<string, ClaimedFeed>();
  private readonly running = new Set<Promise<void>>();
  private readonly unstarted: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** The claim in flight, if any (one at a time; stop() waits for it). */
  private filling: Promise<void> | null = null;
  /** Set when a claim found fewer due feeds than asked: no more claims until the next tick. */
  private drained = false;
  private stopped = false;

  constructor(
    private readonly registry: FeedRegistry,
    private readonly articles: ArticlePublisher,
    private readonly options: FeedPollerOptions,
    private readonly hooks: FeedPollerHooks,
  ) {
    this.limiter = new HostLimiter(options.concurrency, options.hostConcurrency);
    this.recorder = new PollRecorder(registry, options.workerId);
  }

  /**
   * Claimed feeds waiting or running. Enough to keep every slot busy while the next claim is
   * on its way to the database and back; leases cover the wait.
   */
  private get maxClaimed(): number {
    return this.options.concurrency * 8;
  }

  start(): void {
    this.stopped = false;
    const tick = () => {
      this.drained = false;
      void this.fill();
    };
    this.timer = setInterval(tick, this.options.tickMs);
    tick();
  }

  /** Stops claiming, lets running polls finish, and gives unstarted claims back to the registry. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    // A claim that lands now still dispatches its feeds, which see `stopped` and are given back.
    await this.filling;
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
    await this.recorder.drain();
    const ids = this.unstarted.splice(0);
    await this.registry.release(ids, this.options.workerId).catch((error: unknown) => {
      this.hooks.logger.warn?.(`could not release ${ids.length} feed lease(s): ${(error as Error).message}`);
    });
  }

  /** Claims and dispatches due feeds until the buffer is full or nothing more is due. */
  fill(): Promise<void> {
    if (this.filling || this.stopped || this.drained) return this.filling ?? Promise.resolve();
    if (this.hooks.canPoll && !this.hooks.canPoll()) return Promise.resolve();
    this.filling = this.claimLoop().finally(() => {
      this.filling = null;
    });
    return this.filling;
  }

  private async claimLoop(): Promise<void> {
    try {
      while (!this.stopped) {
        const room = this.maxClaimed - this.claimed.size;
        if (room <= 0) break;
        const batch = Math.min(room, 500);
        const feeds = await this.registry.claimDue(this.options.workerId, batch, this.options.leaseSeconds);
        for (const feed of feeds) this.dispatch(feed);
        if (feeds.length < batch) {
          this.drained = true;
          break;
        }
      }
    } catch (error) {
      this.hooks.logger.warn?.(`claiming due feeds failed: ${(error as Error).message}`);
    }
  }

  private dispatch(feed: ClaimedFeed): void {
    this.claimed.set(feed.id, feed);
    const run = (async () => {
      // The host's slot is held for the fetch (and the article pages); the registry write
      // that follows is batched with other feeds' and does not keep the host waiting.
      const polled = await this.limiter.run(hostOf(feed.url), async () =>
        this.stopped ? null : this.fetchStage(feed),
      );
      // Fetched: no longer waiting for a slot, so room for the next claim, while its
      // outcome is written.
      this.fetched(feed.id);
      if (polled === null) {
        this.unstarted.push(feed.id);
        return;
      }
      // Not `onPoll?.(await …)`: an optional call skips evaluating its arguments when absent.
      const report = await this.recordStage(feed, polled);
      this.hooks.onPoll?.(report);
    })()
      .catch((error: unknown) => {
        this.hooks.logger.error(
          `polling ${feed.url} failed unexpectedly: ${(error as Error).stack ?? String(error)}`,
        );
      })
      .finally(() => {
        this.fetched(feed.id);
        this.running.delete(run);
      });
    this.running.add(run);
  }

  private fetched(id: string): void {
    if (!this.claimed.delete(id)) return;
    // Claim again while a full round of slots is still queued, not once the queue is dry.
    if (this.claimed.size <= this.maxClaimed - this.options.concurrency) void this.fill();
  }

  /** Fetches, parses and publishes one feed, then records the outcome on it. */
  async pollFeed(feed: ClaimedFeed): Promise<PollReport> {
    return this.recordStage(feed, await this.fetchStage(feed));
  }

  private async fetchStage(feed: ClaimedFeed): Promise<Polled> {
    const started = performance.now();
    try {
      return { ...(await this.fetchAndPublish(feed)), started };
    } catch (error) {
      // A bug, not the feed's fault, but it is recorded on the feed so it is seen and backed off.
      return {
        result: {
          kind: 'error',
          code: 'internal',
          message: (error as Error).message,
          httpStatus: null,
          retryAfterSeconds: null,
        },
        outcome: 'error',
        articles: null,
        started,
      };
    }
  }

  private async recordStage(feed: ClaimedFeed, polled: Polled): Promise<PollReport> {
    const { result, outcome, articles, started, bodyHash } = polled;
    const state: FeedHealthState = {
      pollIntervalSeconds: feed.pollIntervalSeconds,
      consecutiveFailures: feed.consecutiveFailures,
      failingSince: feed.failingSince,
      cadenceSeconds: feed.cadenceSeconds,
      lastItemAt: feed.lastItemAt,
      etag: feed.etag,
      lastModified: feed.lastModified,
    };
    const patch = nextFeedHealth(state, result, new Date(), {
      policy: { maxBackoffSeconds: this.options.maxBackoffSeconds },
    });
    let recorded = false;
    try {
      recorded = await this.recorder.record(feed.id, patch, bodyHash);
    } catch (error) {
      // The lease runs out and the feed is polled again: events are idempotent.
      this.hooks.logger.warn?.(`recording the poll of ${feed.url} failed: ${(error as Error).message}`);
    }
    const seconds = (performance.now() - started) / 1000;
    this.hooks.metrics?.poll(outcome, result.kind === 'error' ? result.code : null, seconds);
    if (articles) {
      this.hooks.metrics?.items('published', articles.published);
      this.hooks.metrics?.items('source_added', articles.sourcesAdded);
      this.hooks.metrics?.items('item_error', articles.itemErrors.length);
      this.hooks.metrics?.items('full_text_extracted', articles.fullText.extracted);
      this.hooks.metrics?.items('full_text_failed', articles.fullText.failed);
    }
    this.log(feed, outcome, result, articles, patch, seconds);
    return { feed, outcome, result, articles, patch, recorded };
  }

  private async fetchAndPublish(feed: ClaimedFeed): Promise<Fetched> {
    const fetched = await fetchFeedForPoll(feed.url, {
      ...this.options.fetch,
      etag: feed.etag,
      lastModified: feed.lastModified,
      lastBodyHash: feed.bodyHash,
      knownItem: this.articles.knownItemLookup(feed.url),
    });
    if (fetched.kind === 'failed') {
      const { error } = fetched;
      const result: PollResult = {
        kind: 'error',
        code: error.code,
        message: error.message,
        httpStatus: error.status,
        retryAfterSeconds: error.retryAfterSeconds,
      };
      return { result, outcome: isThrottled(result) ? 'throttled' : 'error', articles: null };
    }
    const { response } = fetched;
    if (fetched.kind === 'not_modified' || fetched.kind === 'unchanged') {
      // 'unchanged': the document last published in full, byte for byte - as good as a 304
      // (fresh validators are kept if the server sent any), recorded as one with the real status.
      return {
        result: {
          kind: 'not_modified',
          httpStatus: response.status,
          etag: response.etag,
          lastModified: response.lastModified,
        },
        outcome: fetched.kind,
        articles: null,
      };
    }
    const { check } = fetched;
    if (check.outcome === 'rejected') {
      return {
        result: {
          kind: 'error',
          code: check.code,
          message: check.error,
          httpStatus: response.status,
          retryAfterSeconds: null,
        },
        outcome: 'rejected',
        articles: null,
      };
    }
    let articles: PublishReport;
    try {
      articles = await this.articles.publishFeed(
        { url: feed.url, language: feed.language, fetchFullText: feed.options.fetchFullText },
        check.feed,
        new Date(),
      );
    } catch (error) {
      if (!(error instanceof PublishFailedError)) throw error;
      // The log or the KV record was unreachable: validators are not saved, so the next poll
      // fetches the whole document again.
      return {
        result: {
          kind: 'error',
          code: error.code,
          message: error.message,
          httpStatus: response.status,
          retryAfterSeconds: null,
        },
        outcome: 'error',
        articles: null,
      };
    }
    // An item that failed (e.g. its record kept changing under other replicas) must be retried:
    // keeping the validators would turn the next poll into a 304 and lose it for good. (A KV
    // outage is not an item error: it stops the document as a PublishFailedError, above.)
    const keepValidators = articles.itemErrors.length === 0;
    return {
      // For the same reason, only a document published in full is remembered as done.
      bodyHash: keepValidators ? fetched.bodyHash : undefined,
      result: {
        kind: 'success',
        httpStatus: response.status,
        etag: keepValidators ? response.etag : null,
        lastModified: keepValidators ? response.lastModified : null,
        itemCount: check.items,
        newArticles: articles.published,
        itemDates: [
          ...check.feed.items.map((item) => item.publishedAt),
          ...check.feed.known.map((known) => known.dates.publishedAt),
        ],
      },
      outcome:
        check.outcome === 'salvaged'
          ? 'salvaged'
          : articles.published + articles.sourcesAdded > 0
            ? 'new_items'
            : 'unchanged',
      articles,
    };
  }

  /** One line per poll: a short message and the facts as JSON, for grep and for log pipelines. */
  private log(
    feed: ClaimedFeed,
    outcome: PollMetricOutcome,
    result: PollResult,
    articles: PublishReport | null,
    patch: FeedHealthPatch,
    seconds: number,
  ): void {
    const { logger } = this.hooks;
    // Unchanged and 304 are the bulk of all polls: their line is built only when debug is on.
    const quiet =
      result.kind !== 'error' &&
      outcome !== 'new_items' &&
      outcome !== 'salvaged' &&
      !(articles && articles.itemErrors.length > 0);
    if (quiet && !Logger.isLevelEnabled('debug')) return;
    const facts: Record<string, unknown> = {
      feed: feed.url,
      outcome,
      status: patch.lastHttpStatus,
      ms: Math.round(seconds * 1000),
      next: patch.nextCheckAt.toISOString(),
    };
    if (articles) {
      Object.assign(facts, {
        items: articles.items,
        published: articles.published,
        sourcesAdded: articles.sourcesAdded,
      });
      if (articles.itemErrors.length > 0) facts.itemErrors = articles.itemErrors.slice(0, 5);
    }
    if (result.kind === 'error') {
      Object.assign(facts, { code: result.code, error: result.message, failures: patch.consecutiveFailures });
      const failingFor = patch.failingSince ? (Date.now() - patch.failingSince.getTime()) / 1000 : 0;
      if (failingFor >= FAILING_LONG_AFTER_SECONDS) {
        facts.failingSince = patch.failingSince?.toISOString();
        logger.error(
          `feed failing for ${Math.floor(failingFor / 3600)} h, still polled at backoff ${JSON.stringify(facts)}`,
        );
      } else logger.warn?.(`feed poll failed ${JSON.stringify(facts)}`);
      return;
    }
    if (articles && articles.itemErrors.length > 0)
      logger.warn?.(`feed items skipped ${JSON.stringify(facts)}`);
    else if (outcome === 'new_items' || outcome === 'salvaged')
      logger.log(`feed poll ${JSON.stringify(facts)}`);
    else logger.debug?.(`feed poll ${JSON.stringify(facts)}`);
  }
}
