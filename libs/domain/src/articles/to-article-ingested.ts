import { type ArticleIngestedV1 } from '@diplowatch/contracts';
import { type FeedItem } from '../feeds/feed-types';
import { resolveHtmlUrls } from '../feeds/html-to-text';
import { articleIdentity, contentHash } from './article-identity';
import { canonicalizeUrl } from './canonical-url';

export type ToArticleIngestedOptions = {
  feedUrl: string;
  fetchedAt: Date | string;
  /** Language configured for the feed, used when neither the item nor the feed states one. */
  language?: string | null;
  /** The item's articleId and contentHash when the caller has them already (not hashed twice). */
  known?: { articleId: string; contentHash: string };
};

/** Cuts to at most `max` UTF-16 units without splitting a surrogate pair. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

function clipOrNull(text: string | null, max: number): string | null {
  return text === null ? null : clip(text, max);
}

/** The ArticleIngested v1 payload for one feed item, within the contract's field limits. */
export function toArticleIngested(item: FeedItem, opts: ToArticleIngestedOptions): ArticleIngestedV1 {
  const articleId = opts.known?.articleId ?? articleIdentity(item, opts.feedUrl).articleId;
  const fetchedAt = typeof opts.fetchedAt === 'string' ? new Date(opts.fetchedAt) : opts.fetchedAt;
  const url = item.link ?? '';
  return {
    articleId,
    contentHash: opts.known?.contentHash ?? contentHash(item),
    feedUrl: opts.feedUrl,
    url: url.length <= 4000 ? url : '',
    canonicalUrl: clip(canonicalizeUrl(item.link) ?? '', 4000),
    guid: clipOrNull(item.guid, 4000),
    title: clip(item.title, 2000),
    text: clip(item.text, 200_000),
    // Relative links are resolved here: the event carries no base URL.
    rawContent: clipOrNull(
      item.rawContent === null ? null : resolveHtmlUrls(item.rawContent, item.contentBaseUrl),
      400_000,
    ),
    author: clipOrNull(item.author, 1000),
    language: clipOrNull(item.language ?? opts.language ?? null, 35),
    publishedAt: item.publishedAt,
    fetchedAt: fetchedAt.toISOString(),
  };
}
