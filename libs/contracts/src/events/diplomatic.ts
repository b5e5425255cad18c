import { z } from 'zod';

/** What an analyst looks for. Kept apart from *events* (messages on the log) in names. */
export const diplomaticEventTypes = [
  'visit',
  'meeting_talks',
  'agreement',
  'defense_cooperation',
  'arms_trade',
  'military_exercise',
  'bloc_membership',
  'economic_cooperation',
  'statement',
] as const;
export const diplomaticEventTypeSchema = z.enum(diplomaticEventTypes);
export type DiplomaticEventType = z.infer<typeof diplomaticEventTypeSchema>;

/** ISO 3166-1 alpha-3, or "ASEAN" when the association acts as a body. */
export const countryCodeSchema = z.string().regex(/^([A-Z]{3}|ASEAN)$/);

export const actorSchema = z.object({
  name: z.string().min(1),
  /** Office held at the time of the event, where known. */
  office: z.string().nullable(),
  country: countryCodeSchema.nullable(),
  /** Who acts and who hosts, where the text says so. */
  role: z.enum(['actor', 'host', 'participant']).nullable(),
});
export type Actor = z.infer<typeof actorSchema>;

export const evidenceSchema = z.object({
  sentence: z.string(),
  /** Names of the rules or gazetteer terms that fired in this sentence. */
  rules: z.array(z.string()),
});
export type Evidence = z.infer<typeof evidenceSchema>;

/** An earlier act the article recalls: related context, not the reported event. */
export const relatedContextSchema = z.object({
  type: diplomaticEventTypeSchema,
  description: z.string(),
  countries: z.array(countryCodeSchema),
  actors: z.array(z.string()),
  date: z.string().nullable(),
  evidence: z.array(evidenceSchema),
});
export type RelatedContext = z.infer<typeof relatedContextSchema>;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const detectedDiplomaticEventSchema = z.object({
  /** Deterministic merge key: outlets reporting the same act produce the same id. */
  diplomaticEventId: z.string().min(1).max(100),
  type: diplomaticEventTypeSchema,
  countries: z.array(countryCodeSchema).min(1),
  actors: z.array(actorSchema),
  confidence: z.number().min(0).max(1),
  summary: z.string(),
  /** When the act happens, as stated in the text (not the publication date). */
  startDate: isoDate.nullable(),
  endDate: isoDate.nullable(),
  place: z.string().nullable(),
  /** Subjects the act is about, e.g. ["security", "defense"], including secondary types. */
  topics: z.array(z.string()),
  evidence: z.array(evidenceSchema).min(1),
  context: z.array(relatedContextSchema),
});
export type DetectedDiplomaticEvent = z.infer<typeof detectedDiplomaticEventSchema>;
