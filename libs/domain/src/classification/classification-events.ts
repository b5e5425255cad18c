import { createHash } from 'node:crypto';
import { createEvent, type NewsEvent } from '@diplowatch/contracts';
import { classifyArticle, type ArticleClassification } from './classify-article';
import type { Watch } from './compile-watch';

/** What classifying needs of an article revision (an ArticleIngested, or a stored article row). */
export type ClassifiableArticle = {
  articleId: string;
  contentHash: string;
  title: string;
  text: string;
  publishedAt: string | null;
};

export type Causation = { correlationId: string; causationId: string | null };

const digest = (...parts: string[]): string =>
  createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 40);

/**
 * The id the ingester gives the ArticleIngested of a revision (apps/ingester derives it the same
 * way): a stored article is reclassified as a consequence of that event.
 */
export const articleIngestedEventId = (articleId: string, contentHash: string): string =>
  `ArticleIngested:${digest(articleId, contentHash)}`;

/**
 * An article revision -> ArticleClassified + one DiplomaticEventDetected per act found, in
 * publishing order (the classification first). Event ids come from (article revision, watch,
 * rules version): the same revision classified again under the same rules yields the same ids,
 * which JetStream and the projector drop as duplicates; new rules yield new ids.
 */
export const classificationEvents = (
  article: ClassifiableArticle,
  watch: Watch,
  causation: Causation,
  occurredAt?: Date,
): { result: ArticleClassification; events: NewsEvent[] } => {
  const result = classifyArticle(
    { id: article.articleId, title: article.title, text: article.text, publishedAt: article.publishedAt },
    watch,
  );
  const meta = { ...causation, ...(occurredAt ? { occurredAt } : {}) };
  const classified = createEvent('ArticleClassified', {
    id: `ArticleClassified:${digest(article.articleId, article.contentHash, result.watch, result.rulesVersion)}`,
    ...meta,
    data: {
      articleId: article.articleId,
      contentHash: article.contentHash,
      watch: result.watch,
      rulesVersion: result.rulesVersion,
      relevant: result.relevant,
      relevance: result.relevance,
      eventTypes: result.eventTypes,
      countries: result.countries,
      actors: result.actors,
      diplomaticEventIds: result.diplomaticEvents.map((detected) => detected.diplomaticEventId),
      context: result.context,
      evidence: result.evidence,
      reasons: result.reasons,
    },
  });
  const detections = result.diplomaticEvents.map((detected) =>
    createEvent('DiplomaticEventDetected', {
      id: `DiplomaticEventDetected:${digest(detected.diplomaticEventId, article.articleId, article.contentHash, result.rulesVersion)}`,
      ...meta,
      data: {
        ...detected,
        articleId: article.articleId,
        watch: result.watch,
        rulesVersion: result.rulesVersion,
        publishedAt: article.publishedAt,
      },
    }),
  );
  return { result, events: [classified, ...detections] };
};
