import { z } from 'zod';

/**
 * An article already in the log (same articleId, see libs/domain/src/articles/article-identity.ts)
 * was found in one more feed: one article, one more source. Published once per (article, feed);
 * the article's content is unchanged by it (a changed content is a new ArticleIngested), so
 * nothing needs re-classifying. Consumers that keep one source per article may ignore it.
 */
export const articleSourceAddedV1 = z.object({
  articleId: z.string().min(1).max(100),
  /** The revision current when the new source was seen. */
  contentHash: z.string().min(1).max(100),
  /** The feed that also carries the article. */
  feedUrl: z.url(),
  /** The article's link in that feed (may differ from the first source's, e.g. tracking parameters). */
  url: z.string().max(4000),
  guid: z.string().max(4000).nullable(),
  seenAt: z.iso.datetime({ offset: true }),
});
export type ArticleSourceAddedV1 = z.infer<typeof articleSourceAddedV1>;
