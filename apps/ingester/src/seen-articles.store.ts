import { createHash } from 'node:crypto';
import { type KV, Kvm } from '@nats-io/kv';
import { type NatsConnection } from '@nats-io/transport-node';

const keyFor = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 48);

export type FeedFetchState = { etag: string | null; lastModified: string | null };

/**
 * What the ingester has already published, kept in JetStream KV next to the log: article id ->
 * content hash, and per-feed validators for conditional GET. Publishing happens before the
 * mark, so a crash in between republishes (dropped by the duplicate window or absorbed by the
 * idempotent projector), never loses.
 */
export class IngestionState {
  private constructor(
    private readonly articles: KV,
    private readonly feeds: KV,
  ) {}

  static async open(nc: NatsConnection, namespace: string): Promise<IngestionState> {
    const kvm = new Kvm(nc);
    const prefix = namespace.replace(/[^A-Za-z0-9_-]/g, '_');
    const articles = await kvm.create(`${prefix}_seen_articles`, { history: 1 });
    const feeds = await kvm.create(`${prefix}_feed_state`, { history: 1 });
    return new IngestionState(articles, feeds);
  }

  async seenContentHash(articleId: string): Promise<string | null> {
    const entry = await this.articles.get(keyFor(articleId));
    return entry && entry.operation === 'PUT' ? entry.string() : null;
  }

  async markSeen(articleId: string, contentHash: string): Promise<void> {
    await this.articles.put(keyFor(articleId), contentHash);
  }

  async feedState(feedUrl: string): Promise<FeedFetchState> {
    const entry = await this.feeds.get(keyFor(feedUrl));
    if (!entry || entry.operation !== 'PUT') return { etag: null, lastModified: null };
    return entry.json<FeedFetchState>();
  }

  async saveFeedState(feedUrl: string, state: FeedFetchState): Promise<void> {
    await this.feeds.put(keyFor(feedUrl), JSON.stringify(state));
  }
}
