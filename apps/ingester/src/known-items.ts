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

/**
 * Per feed, the items of its last document published in full, by markup key. A changed feed
 * usually repeats most of its items byte for byte: those are then neither read (HTML to text,
 * dates, URLs) nor hashed again - the parser is handed their dates, and the publisher checks
 * the seen-articles cache with the remembered id and hash, exactly as it would have after
 * reading them. An item whose markup changed has another key and is read in full.
 *
 * In memory only (a restart reads everything once), bounded by the number of items: the feeds
 * remembered longest ago are forgotten first. About 200 bytes an item.
 */
export class KnownItems {
  private readonly feeds = new Map<string, Map<string, RememberedItem>>();
  private count = 0;

  constructor(private readonly maxItems = 250_000) {}

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
