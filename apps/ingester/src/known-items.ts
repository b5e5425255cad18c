import v8 from 'node:v8';
import { type KnownItemDates } from '@diplowatch/domain';

/**
 * An item of a feed's last fully handled document, by its markup key (ParseFeedOptions.knownItem):
 * its article id and item hash, shortened to what the seen-articles cache compares (32 and 16
 * hex characters), and its dates (cadence, and which of two items of one article is newer).
 */
export type RememberedItem = KnownItemDates & { articleId: string; itemHash: string };

/** The prefixes a RememberedItem keeps; everything that compares them uses the same lengths. */
export const ARTICLE_ID_PREFIX = 32;
export const ITEM_HASH_PREFIX = 16;

/** Heap an item costs here, measured: ~250 bytes (200,000 items took 52 MB in bench:ingester). */
const BYTES_PER_ITEM = 256;

/**
 * The default bound: a fifth of V8's heap limit, at most 250,000 items (~60 MB). With the
 * Kubernetes manifest's 128 MB old space that is ~124,000 items, with docker-compose's 256 MB
 * ~249,000 (enough for 10,000 feeds of 20 items).
 */
export function defaultKnownItemsMax(): number {
  return Math.min(250_000, Math.floor((v8.getHeapStatistics().heap_size_limit * 0.2) / BYTES_PER_ITEM));
}

/**
 * Per feed, the items of its last document published in full, by markup key. A changed feed
 * usually repeats most of its items byte for byte: those are then neither read (HTML to text,
 * dates, URLs) nor hashed again - the parser is handed their dates, and the publisher checks
 * the seen-articles cache with the remembered id and hash, exactly as it would have after
 * reading them. An item whose markup changed has another key and is read in full.
 *
 * In memory only (a restart reads everything once), bounded by the number of items
 * (defaultKnownItemsMax): the feeds remembered longest ago are forgotten first.
 */
export class KnownItems {
  private readonly feeds = new Map<string, Map<string, RememberedItem>>();
  private count = 0;

  constructor(private readonly maxItems = defaultKnownItemsMax()) {}

  get size(): number {
    return this.count;
  }

  get(feedUrl: string): ReadonlyMap<string, RememberedItem> | undefined {
    return this.feeds.get(feedUrl);
  }

  /** Replaces what is remembered of a feed (null: forget it, so its next document is read in full). */
  set(feedUrl: string, items: Map<string, RememberedItem> | null): void {
    const old = this.feeds.get(feedUrl);
    if (old) {
      this.count -= old.size;
      this.feeds.delete(feedUrl);
    }
    if (!items || items.size === 0) return;
    this.feeds.set(feedUrl, items);
    this.count += items.size;
    while (this.count > this.maxItems) {
      const [oldest, entries] = this.feeds.entries().next().value!;
      this.feeds.delete(oldest);
      this.count -= entries.size;
    }
  }
}

/** A string that shares no storage with its source (a slice keeps its whole parent alive in V8). */
export const flatCopy = (value: string) => Buffer.from(value, 'latin1').toString('latin1');
