import { createHash } from 'node:crypto';
import { createEvent, type NewsEvent } from '@diplowatch/contracts';
import { type Watch, classifyArticle } from '@diplowatch/domain';
import { type ConsumedEvent } from '@diplowatch/messaging';

const digest = (...parts: string[]) =>
  createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 40);

/**
 * ArticleIngested -> ArticleClassified + one DiplomaticEventDetected per act found. Event ids
 * come from (article revision, rules version), so a redelivered article yields the same ids
 * and JetStream drops the copies.
 */
export function eventsForArticle(consumed: ConsumedEvent, watch: Watch): NewsEvent[] {
  const { event } = consumed;
  if (event.type !== 'ArticleIngested') return [];
  const article = event.data;
  const result = classifyArticle(
    { id: article.articleId, title: article.title, text: article.text, publishedAt: article.publishedAt },
    watch,
  );
  const causation = { correlationId: event.metadata.correlationId, causationId: event.id };
  const classified = createEvent('ArticleClassified', {
    id: `ArticleClassified:${digest(article.articleId, article.contentHash, result.watch, result.rulesVersion)}`,
    ...causation,
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
      ...causation,
      data: {
        ...detected,
        articleId: article.articleId,
        watch: result.watch,
        rulesVersion: result.rulesVersion,
        publishedAt: article.publishedAt,
      },
    }),
  );
  return [classified, ...detections];
}
