import { articleClassifiedV1, type ArticleClassifiedV1 } from '@diplowatch/contracts';
import type { ArticleClassification } from './classify-article';

/** The ArticleClassified v1 payload for a classification; the caller supplies the content hash. */
export const toArticleClassifiedV1 = (c: ArticleClassification, contentHash: string): ArticleClassifiedV1 =>
  articleClassifiedV1.parse({
    articleId: c.articleId,
    contentHash,
    watch: c.watch,
    rulesVersion: c.rulesVersion,
    relevant: c.relevant,
    relevance: c.relevance,
    eventTypes: c.eventTypes,
    countries: c.countries,
    actors: c.actors,
    diplomaticEventIds: c.diplomaticEvents.map((e) => e.diplomaticEventId),
    context: c.context,
    evidence: c.evidence,
    reasons: c.reasons,
  });
