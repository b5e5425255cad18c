import { createHash } from 'node:crypto';
import { type KV, Kvm } from '@nats-io/kv';
import { type NatsConnection } from '@nats-io/transport-node';

const keyFor = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 48);

/** A short, stable name for a feed inside article records (the full URL would bloat them). */
export const feedKey = (feedUrl: string) => createHash('sha256').update(feedUrl).digest('hex').slice(0, 12);

/** At most this many feeds are remembered per article; beyond, further sources are not announced. */
const MAX_SOURCES = 64;

export type SeenArticle = {
  /** Content hash of the item as a feed last gave it (before any full-text enrichment). */
  itemHash: string;
  /** Content hash of the last ArticleIngested published for it. */
  contentHash: string;
  /**
   * feedKey() -> item hash as that feed last gave it, for every feed known to carry the article;
   * null for records written before sources were kept.
   */
  sources: Record<string, string> | null;
};

export type StoredArticle = SeenArticle & { revision: number };

/** What to do with an item, given what was published for its article before. */
export type ArticleDecision = 'publish' | 'add_source' | 'skip';

/**
 * A revision is published only when a feed's own copy of an article changes. Comparing with
 * the last published copy instead would make two feeds that word the same article differently
 * (one has a longer summary) publish a "revision" on every poll, forever.
 */
export function decideArticle(seen: SeenArticle | null, itemHash: string, feed: string): ArticleDecision {
  if (!seen) return 'publish';
  if (seen.sources === null) return seen.itemHash === itemHash ? 'skip' : 'publish';
  const known = seen.sources[feed];
  if (known !== undefined) return known === itemHash ? 'skip' : 'publish';
  return Object.keys(seen.sources).length >= MAX_SOURCES ? 'skip' : 'add_source';
}

function withSource(sources: Record<string, string> | null, feed: string, itemHash: string) {
  const next = { ...(sources ?? {}) };
  if (feed in next || Object.keys(next).length < MAX_SOURCES) next[feed] = itemHash;
  return next;
}

/** The record after publishing a (new or revised) ArticleIngested from `feed`. */
export function afterPublish(
  seen: SeenArticle | null,
  update: { itemHash: string; contentHash: string; feed: string },
): SeenArticle {
  return {
    itemHash: update.itemHash,
    contentHash: update.contentHash,
    sources: withSource(seen?.sources ?? null, update.feed, update.itemHash),
  };
}

/** The record after announcing `feed` as one more source (content unchanged). */
export function afterSourceAdded(seen: SeenArticle, update: { itemHash: string; feed: string }): SeenArticle {
  return { ...seen, sources: withSource(seen.sources, update.feed, update.itemHash) };
}

function decode(raw: string, revision: number): StoredArticle {
  // Records from before sources were tracked hold the bare content hash.
  if (!raw.startsWith('{')) return { itemHash: raw, contentHash: raw, sources: null, revision };
  const value = JSON.parse(raw) as { h: string; c?: string; s?: Record<string, string> };
  return { itemHash: value.h, contentHash: value.c ?? value.h, sources: value.s ?? null, revision };
}

const encode = (seen: SeenArticle) =>
  JSON.stringify({ h: seen.itemHash, c: seen.contentHash, s: seen.sources ?? {} });

/** What ArticlePublisher needs from the store (an in-memory one serves unit tests). */
export type SeenStore = {
  /** Compares only the first 32 characters of the id and 16 of the hash (callers may pass no more). */
  knownUnchanged(articleId: string, itemHash: string, feed: string): boolean;
  get(articleId: string): Promise<StoredArticle | null>;
  put(articleId: string, next: SeenArticle, previous: StoredArticle | null): Promise<boolean>;
};

/**
 * What the ingester has already published, kept in JetStream KV next to the log: article id ->
 * item hash, published content hash and the feeds carrying it (with each feed's own item hash). Publishing happens before the
 * record is written, so a crash in between republishes (dropped by the duplicate window or
 * absorbed by the idempotent projector), never loses.
 *
 * Records are written with compare-and-set on the KV revision: two replicas polling two feeds
 * that carry the same new article both publish it (one copy is dropped by Nats-Msg-Id), and the
 * loser of the race re-reads and announces its feed as a second source instead of losing it.
 *
 * A bounded in-process cache answers "unchanged, same feed" without a KV round trip, the common
 * case (a feed repeats its last 20–50 items on every poll). Only that answer is taken from the
 * cache; anything else is checked against KV. The cache learns from records read as well as
 * written: otherwise a restarted replica (or one that took over a feed) would ask KV about every
 * unchanged item of a document on every poll, forever, since nothing is written for them.
 */
export class SeenArticles implements SeenStore {
  /**
   * (article, feed) -> the item hash that feed last gave, shortened: the cache only ever answers
   * "unchanged" (a 64-bit prefix collision is negligible there) and must stay small - about
   * 150 bytes an entry, so the default 200,000 entries cost some 30 MB.
   */
  private readonly cache = new Map<string, string>();

  private constructor(
    private readonly kv: KV,
    private readonly cacheSize: number,
  ) {}

  static async open(nc: NatsConnection, namespace: string, cacheSize = 200_000): Promise<SeenArticles> {
    const kvm = new Kvm(nc);
    const prefix = namespace.replace(/[^A-Za-z0-9_-]/g, '_');
    const kv = await kvm.create(`${prefix}_seen_articles`, { history: 1 });
    return new SeenArticles(kv, cacheSize);
  }

  /** True when the cache alone shows this feed already gave this item, unchanged. */
  knownUnchanged(articleId: string, itemHash: string, feed: string): boolean {
    return this.cache.get(cacheKey(articleId, feed)) === itemHash.slice(0, 16);
  }

  async get(articleId: string): Promise<StoredArticle | null> {
    const entry = await this.kv.get(keyFor(articleId));
    if (!entry || entry.operation !== 'PUT') return null;
    const stored = decode(entry.string(), entry.revision);
    for (const [feed, itemHash] of Object.entries(stored.sources ?? {}))
      this.remember(articleId, feed, itemHash);
    return stored;
  }

  /**
   * Writes the record if nobody changed it since `previous` was read. Returns false on a lost
   * race (the caller re-reads and decides again).
   */
  async put(articleId: string, next: SeenArticle, previous: StoredArticle | null): Promise<boolean> {
    const key = keyFor(articleId);
    try {
      if (previous) await this.kv.update(key, encode(next), previous.revision);
      else await this.kv.create(key, encode(next));
    } catch (error) {
      const current = await this.kv.get(key);
      const changed = current ? current.revision !== previous?.revision : previous !== null;
      if (changed) return false;
      throw error;
    }
    for (const [feed, itemHash] of Object.entries(next.sources ?? {}))
      this.remember(articleId, feed, itemHash);
    return true;
  }

  private remember(articleId: string, feed: string, itemHash: string): void {
    // Insertion order makes the Map a cheap LRU-ish cache: refresh on write, evict the oldest.
    // Flat copies: a slice of a string keeps its whole parent alive in V8 (the 64-char article
    // id and item hash), which doubled the cache's size (~290 bytes an entry measured).
    const key = flatCopy(cacheKey(articleId, feed));
    this.cache.delete(key);
    this.cache.set(key, flatCopy(itemHash.slice(0, 16)));
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
  }
}

const cacheKey = (articleId: string, feed: string) => `${articleId.slice(0, 32)}${feed}`;

/** A string that shares no storage with its source (the cache's strings are hex, so latin1 is exact). */
const flatCopy = (value: string) => Buffer.from(value, 'latin1').toString('latin1');
