import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { type FeedCondition } from '@diplowatch/domain';

/** One poll's result, as counted: a feed URL would be a label per feed, so only outcome and code. */
export type PollMetricOutcome =
  'new_items' | 'unchanged' | 'salvaged' | 'not_modified' | 'rejected' | 'error' | 'throttled';

/**
 * The ingester's series, on the app's registry (libs/runtime MetricsService, served at
 * /metrics on HEALTH_PORT). Labels stay bounded: outcome and error code, never the feed URL.
 */
export class IngesterMetrics {
  private readonly polls: Counter<'outcome' | 'code'>;
  private readonly pollDuration: Histogram<'outcome'>;
  private readonly articles: Counter<'kind'>;
  private readonly feeds: Gauge<'condition'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.polls = new Counter({
      name: 'diplowatch_feed_polls_total',
      help: 'Feed polls by outcome (new_items, unchanged, salvaged, not_modified, rejected, error, throttled) and error code',
      labelNames: ['outcome', 'code'],
      registers,
    });
    this.pollDuration = new Histogram({
      name: 'diplowatch_feed_poll_duration_seconds',
      help: 'Time one feed poll took: fetch, parse and publish',
      labelNames: ['outcome'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.articles = new Counter({
      name: 'diplowatch_feed_articles_total',
      help: 'Items turned into events (published, source_added) or not (item_error), and full-text extraction results',
      labelNames: ['kind'],
      registers,
    });
    this.feeds = new Gauge({
      name: 'diplowatch_feeds',
      help: 'Registered feeds by condition (healthy, failing, failing_long, possible_gap, paused, pending)',
      labelNames: ['condition'],
      registers,
    });
  }

  poll(outcome: PollMetricOutcome, code: string | null, seconds: number): void {
    this.polls.inc({ outcome, code: code ?? '' });
    this.pollDuration.observe({ outcome }, seconds);
  }

  items(
    kind: 'published' | 'source_added' | 'item_error' | 'full_text_extracted' | 'full_text_failed',
    count: number,
  ): void {
    if (count > 0) this.articles.inc({ kind }, count);
  }

  feedConditions(counts: Partial<Record<FeedCondition, number>>): void {
    for (const condition of [
      'healthy',
      'failing',
      'failing_long',
      'possible_gap',
      'paused',
      'pending',
    ] as const)
      this.feeds.set({ condition }, counts[condition] ?? 0);
  }
}
