import { createHash } from 'node:crypto';
import { type ArticleIngestedV1, createEvent, type NewsEvent } from '@diplowatch/contracts';
import {
  articleIdentity,
  contentHash,
  dedupeItems,
  type FeedItem,
  type KnownItemDates,
  latestPerArticle,
  type ParsedFeed,
  toArticleIngested,
} from '@diplowatch/domain';
import { type PublishResult } from '@diplowatch/messaging';
import { type MainText } from './full-text/extract-main-text';
import {
  ARTICLE_ID_PREFIX,
  flatCopy,
  ITEM_HASH_PREFIX,
  type KnownItems,
  type RememberedItem,
} from './known-items';
import {
  type ArticleDecision,
  afterPublish,
  afterSourceAdded,
  decideArticle,
  feedKey,
  type SeenStore,
} from './seen-articles.store';

const digest = (...parts: string[]) =>
  createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 40);

/**
 * The document cannot be published now: the log or the KV record of what was published is
 * unreachable. Transient, so the whole document is retried at the next poll (its validators are
 * not kept); nothing is marked for the items not yet published. Not an item error: a KV outage
 * is not the item's fault, and treating it as one would publish the document piecemeal.
 */
export class PublishFailedError extends Error {
  readonly code: 'publish_failed' | 'seen_state_failed';
  constructor(cause: unknown, code: 'publish_failed' | 'seen_state_failed' = 'publish_failed') {
    const what =
      code === 'publish_failed'
        ? 'publishing to the event log'
        : 'reading or writing the seen-articles record';
    super(`${what} failed: ${(cause as Error).message}`);
    this.name = 'PublishFailedError';
    this.code = code;
  }
}

export type PublishFeed = {
  /** The registry's URL of the feed (identity of feed-local guids, and the event's feedUrl). */
  url: string;
  language: string | null;
  fetchFullText: boolean;
};

export type PublishReport = {
  items: number;
  /** ArticleIngested published: new articles and revisions. */
  published: number;
  /** ArticleSourceAdded published: articles already known from another feed. */
  sourcesAdded: number;
  /** Items that could not be turned into an event (kept out, the others went on). */
  itemErrors: { index: number; message: string }[];
  fullText: { extracted: number; failed: number };
};

export type ArticlePublisherDeps = {
  seen: SeenStore;
  publish: (event: NewsEvent) => Promise<PublishResult>;
  /** Main text of an article page (null: not found); only called for feeds with fetchFullText. */
  fetchMainText?: (url: string) => Promise<MainText | null>;
  /** Items of each feed's last document, by markup: those repeated unchanged are not read again. */
  knownItems?: KnownItems;
};

/** Items of one document in flight at once. */
const ITEM_CONCURRENCY = 8;

/** Compare-and-set retries before an item is left for the next poll (only under heavy races). */
const MAX_CAS_ATTEMPTS = 4;

/**
 * Turns one parsed document into events: ArticleIngested for each new article or revision,
 * ArticleSourceAdded when an article already known from another feed shows up in this one.
 * Items are independent: one that cannot be converted is reported and skipped, the rest go on.
 * A failure to publish or to read/write the KV record stops the document (the log or KV is
 * unreachable; retrying item by item would only reorder them) and nothing is marked for the
 * items not published.
 */
export class ArticlePublisher {
  constructor(private readonly deps: ArticlePublisherDeps) {}

  /**
   * For the parser (ParseFeedOptions.knownItem): an item of this feed is not read again when its
   * markup is that of an item of the feed's last document and the seen-articles cache still
   * holds that item's hash for this feed - the very test publishFeed would make after reading it.
   * Undefined without a KnownItems memory.
   */
  knownItemLookup(feedUrl: string): ((key: string) => KnownItemDates | null) | undefined {
    const memory = this.deps.knownItems;
    if (!memory) return undefined;
    // Resolved at the first call: most polls end in a 304 and never parse.
    let remembered: ReadonlyMap<string, RememberedItem> | undefined | null = null;
    let source = '';
    return (key) => {
      if (remembered === null) {
        remembered = memory.get(feedUrl);
        if (remembered) source = feedKey(feedUrl);
      }
      // Without a memory of the feed, keys are still wanted: to remember this document's items.
      const item = remembered?.get(key);
      return item && this.deps.seen.knownUnchanged(item.articleId, item.itemHash, source) ? item : null;
    };
  }

  async publishFeed(feed: PublishFeed, parsed: ParsedFeed, fetchedAt: Date): Promise<PublishReport> {
    const report: PublishReport = {
      items: parsed.items.length + parsed.known.length,
      published: 0,
      sourcesAdded: 0,
      itemErrors: [],
      fullText: { extracted: 0, failed: 0 },
    };
    const memory = this.deps.knownItems;
    const source = feedKey(feed.url);
    const { items, articleIds, keys, known } = this.dedupe(feed.url, parsed);
    // What this document's items will be remembered as, if it is published in full.
    const remember = memory && parsed.itemKeys ? new Map<string, RememberedItem>() : null;
    const rememberItem = (key: string | null, articleId: string, itemHash: string, dates: KnownItemDates) => {
      if (remember && key !== null)
        remember.set(flatCopy(key), {
          articleId: flatCopy(articleId.slice(0, ARTICLE_ID_PREFIX)),
          itemHash: flatCopy(itemHash.slice(0, ITEM_HASH_PREFIX)),
          publishedAt: dates.publishedAt,
          updatedAt: dates.updatedAt,
        });
    };
    for (const { key, remembered } of known) {
      // Not read again: the parser was told it is known, and the cache must still say so (it
      // did a moment ago; another feed's poll may have changed it since).
      if (this.deps.seen.knownUnchanged(remembered.articleId, remembered.itemHash, source))
        remember?.set(flatCopy(key), remembered);
      else
        report.itemErrors.push({
          index: -1,
          message:
            'an item recognised by its markup is no longer known unchanged; read again at the next poll',
        });
    }
    // The common case first, synchronously: the feed repeats items it already gave, unchanged.
    // Identity and hash alone answer it (no KV round trip, no promise per item); only the rest
    // goes on to the asynchronous path.
    const pending: { index: number; itemHash: string }[] = [];
    for (let index = 0; index < items.length; index++) {
      try {
        const itemHash = contentHash(items[index]!);
        if (!this.deps.seen.knownUnchanged(articleIds[index]!, itemHash, source))
          pending.push({ index, itemHash });
        else rememberItem(keys[index]!, articleIds[index]!, itemHash, items[index]!);
      } catch (error) {
        report.itemErrors.push({ index, message: (error as Error).message });
      }
    }
    // Items are independent (one article each after dedupe), so a few go at once: the KV and
    // publish round trips of a cold start overlap instead of adding up.
    let next = 0;
    const stop: { failed: PublishFailedError | null } = { failed: null };
    const worker = async () => {
      while (stop.failed === null && next < pending.length) {
        const { index, itemHash } = pending[next++]!;
        try {
          const decision = await this.publishItem(
            feed,
            source,
            items[index]!,
            { articleId: articleIds[index]!, contentHash: itemHash },
            fetchedAt,
            report,
          );
          if (decision === 'publish') report.published++;
          else if (decision === 'add_source') report.sourcesAdded++;
          rememberItem(keys[index]!, articleIds[index]!, itemHash, items[index]!);
        } catch (error) {
          if (error instanceof PublishFailedError) stop.failed ??= error;
          else report.itemErrors.push({ index, message: (error as Error).message });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(ITEM_CONCURRENCY, pending.length) }, worker));
    // Only a document handled in full is remembered; otherwise the next one is read in full.
    memory?.set(feed.url, stop.failed || report.itemErrors.length > 0 ? null : remember);
    if (stop.failed) throw stop.failed;
    report.itemErrors.sort((a, b) => a.index - b.index);
    return report;
  }

  /**
   * One item per article (dedupeItems, or its rule latestPerArticle): where several share an identity, the one updated (or
   * published) last is kept; on a tie, the first in document order. Items recognised by their
   * markup take part with their remembered id (its 32-character prefix, which is then what all
   * identities are compared by) and dates.
   */
  private dedupe(
    feedUrl: string,
    parsed: ParsedFeed,
  ): {
    items: FeedItem[];
    articleIds: string[];
    keys: (string | null)[];
    known: { key: string; remembered: RememberedItem }[];
  } {
    if (parsed.known.length === 0) {
      const { items, articleIds, indexes } = dedupeItems(parsed.items, feedUrl);
      const keys = indexes.map((index) => parsed.itemKeys?.[index] ?? null);
      return { items, articleIds, keys, known: [] };
    }
    type Entry = {
      id: string;
      dates: KnownItemDates;
      read: { item: FeedItem; articleId: string; key: string | null } | null;
      known: { key: string; remembered: RememberedItem } | null;
    };
    const all: Entry[] = [];
    let k = 0;
    let r = 0;
    const total = parsed.items.length + parsed.known.length;
    for (let order = 0; order < total; order++) {
      const known = parsed.known[k];
      if (known?.index === order) {
        k++;
        // The parser hands back what knownItemLookup gave it: the remembered item itself.
        const remembered = known.dates as RememberedItem;
        if (typeof remembered.articleId !== 'string')
          throw new Error('a known item did not come from knownItemLookup');
        all.push({
          id: remembered.articleId,
          dates: remembered,
          read: null,
          known: { key: known.key, remembered },
        });
        continue;
      }
      const item = parsed.items[r]!;
      const articleId = articleIdentity(item, feedUrl).articleId;
      all.push({
        id: articleId.slice(0, ARTICLE_ID_PREFIX),
        dates: item,
        read: { item, articleId, key: parsed.itemKeys?.[r] ?? null },
        known: null,
      });
      r++;
    }
    const kept = latestPerArticle(
      all.map((entry) => entry.id),
      all.map((entry) => entry.dates),
    );
    const out = {
      items: [] as FeedItem[],
      articleIds: [] as string[],
      keys: [] as (string | null)[],
      known: [] as { key: string; remembered: RememberedItem }[],
    };
    for (const entry of kept.map((index) => all[index]!)) {
      if (entry.known) out.known.push(entry.known);
      else {
        out.items.push(entry.read!.item);
        out.articleIds.push(entry.read!.articleId);
        out.keys.push(entry.read!.key);
      }
    }
    return out;
  }

  private async publishItem(
    feed: PublishFeed,
    source: string,
    item: FeedItem,
    known: { articleId: string; contentHash: string },
    fetchedAt: Date,
    report: PublishReport,
  ): Promise<ArticleDecision> {
    const { seen } = this.deps;
    // The event payload (URL resolution in the HTML, clipping) is built only for items that may
    // go out, with the hashes already computed.
    const data = toArticleIngested(item, { feedUrl: feed.url, fetchedAt, language: feed.language, known });

    let enriched: ArticleIngestedV1 | undefined;
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const previous = await this.seenState(() => seen.get(data.articleId));
      const decision = decideArticle(previous, data.contentHash, source);
      if (decision === 'skip') return 'skip';
      if (decision === 'publish') {
        enriched ??= await this.withFullText(feed, item, data, fetchedAt, report);
        await this.publish(
          createEvent('ArticleIngested', {
            id: `ArticleIngested:${digest(enriched.articleId, enriched.contentHash)}`,
            occurredAt: fetchedAt,
            data: enriched,
          }),
        );
        const next = afterPublish(previous, {
          itemHash: data.contentHash,
          contentHash: enriched.contentHash,
          feed: source,
        });
        if (await this.seenState(() => seen.put(data.articleId, next, previous))) return decision;
      } else {
        const known = previous!;
        await this.publish(
          createEvent('ArticleSourceAdded', {
            // One per (article, feed): a repeat is dropped by the log and absorbed downstream.
            id: `ArticleSourceAdded:${digest(data.articleId, source)}`,
            occurredAt: fetchedAt,
            data: {
              articleId: data.articleId,
              contentHash: known.contentHash,
              feedUrl: feed.url,
              url: data.url,
              guid: data.guid,
              seenAt: fetchedAt.toISOString(),
            },
          }),
        );
        const next = afterSourceAdded(known, { itemHash: data.contentHash, feed: source });
        if (await this.seenState(() => seen.put(data.articleId, next, known))) return decision;
      }
      // Lost a race with another replica: read again and decide again.
    }
    throw new Error(
      `article ${data.articleId}: record kept changing under concurrent pollers; left for the next poll`,
    );
  }

  private async seenState<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw new PublishFailedError(error, 'seen_state_failed');
    }
  }

  private async publish(event: NewsEvent): Promise<void> {
    try {
      await this.deps.publish(event);
    } catch (error) {
      throw new PublishFailedError(error);
    }
  }

  /** The article's own page text, when the feed asks for it and the page yields more than the feed. */
  private async withFullText(
    feed: PublishFeed,
    item: FeedItem,
    data: ArticleIngestedV1,
    fetchedAt: Date,
    report: PublishReport,
  ): Promise<ArticleIngestedV1> {
    const fetchMainText = this.deps.fetchMainText;
    if (!feed.fetchFullText || !fetchMainText || !data.url) return data;
    try {
      const main = await fetchMainText(data.url);
      if (!main || main.text.length <= item.text.length) {
        report.fullText.failed++;
        return data;
      }
      report.fullText.extracted++;
      // The feed's own markup stays in rawContent; the text is the page's.
      const full = toArticleIngested(
        { ...item, text: main.text },
        { feedUrl: feed.url, fetchedAt, language: feed.language },
      );
      return { ...full, rawContent: data.rawContent };
    } catch {
      // The page is optional: the feed's summary still goes out.
      report.fullText.failed++;
      return data;
    }
  }
}
