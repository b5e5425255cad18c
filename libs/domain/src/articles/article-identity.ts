import { createHash } from 'node:crypto';
import { type FeedItem } from '../feeds/feed-types';
import { canonicalizeUrl } from './canonical-url';

export type IdentityRule = 'permalink' | 'global-guid' | 'feed-guid' | 'url' | 'content';

export type ArticleIdentity = {
  /** sha256 (hex) of `${kind}\n${basis}`: stable, fixed length, safe as a Nats-Msg-Id part and DB key. */
  articleId: string;
  rule: IdentityRule;
  /** What was hashed, for logs and debugging. */
  basis: string;
};

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * URI schemes whose identifiers are unique across the web by construction: http(s) URLs name
 * a host the publisher owns, tag: URIs embed a domain and a date (RFC 4151), urn:uuid: is a
 * UUID (RFC 4122). Any other string ("1", "post-42", a bare number, "urn:post:1") is only
 * unique inside its feed.
 */
function isGloballyUnique(guid: string): boolean {
  return /^(?:https?:\/\/[^\s/?#]+\.[^\s/?#]+|tag:[^\s,]+\.[^\s,]+,\d{4}|urn:uuid:[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$)/i.test(
    guid,
  );
}

/**
 * The stable identity of an article, in this order (the reason for each rule is beside it, as
 * Miniflux does for its entry hash):
 */
export function articleIdentity(item: FeedItem, feedUrl: string): ArticleIdentity {
  const guid = item.guid?.trim() || null;
  const feed = canonicalizeUrl(feedUrl) ?? feedUrl.trim();

  // 1. A permalink guid: the publisher states that this URL is the article's permanent address.
  //    It is canonicalised (host case, default port, tracking parameters) and shares the 'url'
  //    kind with rule 4, so the same article reached from two feeds - one with a guid, one with
  //    only a link - is one article. Its fragment is kept: publishers who put one in a guid use
  //    it to tell items on one page apart (live blogs, "page#item-12").
  if (guid && item.guidIsPermalink) {
    const url = canonicalizeUrl(guid, { keepFragment: true });
    if (url) return make('permalink', `url\n${url}`);
  }

  // 2. A guid that is globally unique by construction (URL-shaped, tag:, urn:): used verbatim,
  //    since isPermaLink="false" / Atom ids are opaque - two ids differing only in a fragment
  //    or a query parameter are two items. Not joined with the feed URL, so an article carried
  //    by several feeds of one publisher (sections, languages) stays one article.
  if (guid && isGloballyUnique(guid)) return make('global-guid', `guid\n${guid}`);

  // 3. Any other guid ("1", "12345", "post-42") is only unique within its feed: joined with the
  //    feed URL so that two feeds numbering their items from 1 do not collide. Repeated guids in
  //    one feed are one article (the feed says so, even if the validator disagrees).
  if (guid) return make('feed-guid', `feed-guid\n${feed}\n${guid}`);

  // 4. No guid: the canonical link. Feeds and campaigns decorate links (utm_*, fbclid,
  //    #comments), so only the canonical form is stable.
  const url = canonicalizeUrl(item.link);
  if (url) return make('url', `url\n${url}`);

  // 5. Nothing stable at all (an item with no guid and no link): a hash of what it says,
  //    within its feed. The same item fetched again maps to the same article; an edited one
  //    becomes a new article, which is the best that can be done without an identifier.
  return make('content', `content\n${feed}\n${item.title}\n${item.text}\n${item.publishedAt ?? ''}`);
}

function make(rule: IdentityRule, basis: string): ArticleIdentity {
  return { articleId: sha256(basis), rule, basis };
}

/**
 * Hash of the content fields, the "content version" of an article: a changed hash is a new
 * revision. Title, clean text, canonical link and author count; dates do not (some feeds
 * stamp every item with the fetch time) and neither does raw HTML (ad and tracking markup
 * changes on every request while the text stays the same).
 */
export function contentHash(item: FeedItem): string {
  return sha256(
    JSON.stringify([item.title, item.text, canonicalizeUrl(item.link) ?? item.link ?? '', item.author ?? '']),
  );
}

/**
 * One item per article: where several items of one feed share an identity, keeps the one
 * updated (or published) last; on a tie, the first in document order (feeds list newest
 * first). The kept items stay in document order, with their `articleIds` and their `indexes`
 * in `items`; `dropped` counts the rest.
 */
export function dedupeItems(
  items: FeedItem[],
  feedUrl: string,
): { items: FeedItem[]; dropped: number; articleIds: string[]; indexes: number[] } {
  const ids = items.map((item) => articleIdentity(item, feedUrl).articleId);
  const indexes = latestPerArticle(ids, items);
  // The kept items' ids (and positions) come along, so callers need not hash every item twice.
  return {
    items: indexes.map((index) => items[index]!),
    articleIds: indexes.map((index) => ids[index]!),
    indexes,
    dropped: items.length - indexes.length,
  };
}

/**
 * dedupeItems' rule on its own, for callers that hold ids and dates rather than items (the
 * ingester's items known by their markup): per id, the position of the entry updated (or
 * published) last, the first on a tie; positions in document order.
 */
export function latestPerArticle(
  ids: readonly string[],
  dates: readonly { publishedAt: string | null; updatedAt: string | null }[],
): number[] {
  const best = new Map<string, { index: number; time: number }>();
  ids.forEach((id, index) => {
    const stamp = dates[index]!.updatedAt ?? dates[index]!.publishedAt;
    const time = stamp ? Date.parse(stamp) : Number.NEGATIVE_INFINITY;
    const current = best.get(id);
    if (!current || time > current.time) best.set(id, { index, time });
  });
  return [...best.values()].map((b) => b.index).sort((a, b) => a - b);
}
