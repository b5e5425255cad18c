import { z } from 'zod';

/** A new article, or a new revision of one whose content changed, as read from a feed. */
export const articleIngestedV1 = z.object({
  /** Stable identity: see libs/domain/src/articles/article-identity.ts for the rules. */
  articleId: z.string().min(1).max(100),
  /** Hash of the content fields; a changed hash means a revision of the same article. */
  contentHash: z.string().min(1).max(100),
  feedUrl: z.url(),
  url: z.string().max(4000),
  canonicalUrl: z.string().max(4000),
  guid: z.string().max(4000).nullable(),
  title: z.string().max(2000),
  /** Clean text for the classifier (HTML reduced to text). */
  text: z.string().max(200_000),
  /** The summary/content as the feed gave it, HTML kept. */
  rawContent: z.string().max(400_000).nullable(),
  author: z.string().max(1000).nullable(),
  language: z.string().max(35).nullable(),
  /** Null when the feed gave no usable date: never silently replaced by the fetch time. */
  publishedAt: z.iso.datetime({ offset: true }).nullable(),
  fetchedAt: z.iso.datetime({ offset: true }),
});
export type ArticleIngestedV1 = z.infer<typeof articleIngestedV1>;
