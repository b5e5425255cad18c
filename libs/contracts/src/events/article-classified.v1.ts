import { z } from 'zod';
import {
  countryCodeSchema,
  diplomaticEventTypeSchema,
  evidenceSchema,
  relatedContextSchema,
} from './diplomatic';

/** The classifier's verdict on one article revision, relevant or not. */
export const articleClassifiedV1 = z.object({
  articleId: z.string().min(1),
  contentHash: z.string().min(1),
  watch: z.string().min(1),
  rulesVersion: z.string().min(1),
  relevant: z.boolean(),
  /** Confidence that the article is relevant, in [0, 1]. */
  relevance: z.number().min(0).max(1),
  eventTypes: z.array(diplomaticEventTypeSchema),
  countries: z.array(countryCodeSchema),
  actors: z.array(z.string()),
  diplomaticEventIds: z.array(z.string()),
  context: z.array(relatedContextSchema),
  evidence: z.array(evidenceSchema),
  /** Why an article was judged not relevant (empty when relevant). */
  reasons: z.array(z.string()),
});
export type ArticleClassifiedV1 = z.infer<typeof articleClassifiedV1>;
