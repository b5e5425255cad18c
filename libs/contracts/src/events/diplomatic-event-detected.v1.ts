import { z } from 'zod';
import { detectedDiplomaticEventSchema } from './diplomatic';

/** One diplomatic event found in one article. Several articles may report the same one. */
export const diplomaticEventDetectedV1 = detectedDiplomaticEventSchema.extend({
  articleId: z.string().min(1),
  watch: z.string().min(1),
  rulesVersion: z.string().min(1),
  publishedAt: z.iso.datetime({ offset: true }).nullable(),
});
export type DiplomaticEventDetectedV1 = z.infer<typeof diplomaticEventDetectedV1>;
