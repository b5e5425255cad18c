import { actorSchema, diplomaticEventTypes } from '@diplowatch/contracts';
import { type EventListItem } from '@diplowatch/domain';
import { z } from 'zod';

// What the read endpoints answer, as zod schemas: the OpenAPI document is generated from them
// (@ApiOkResponse({ standardSchema })), and the repository's return types are checked against
// them at compile time in the controllers, so the document cannot drift from the code.

const isoDay = z.string().describe('YYYY-MM-DD');
const isoDateTime = z.string().describe('ISO 8601 date-time, UTC');

export const eventListItemSchema = z
  .object({
    id: z.string(),
    type: z.string().describe(`One of ${diplomaticEventTypes.join(', ')}`),
    countries: z.array(z.string()).describe('ISO 3166-1 alpha-3 codes, and ASEAN when it acts as a body'),
    actors: z.array(actorSchema),
    confidence: z.number().min(0).max(1),
    summary: z.string(),
    eventDate: isoDay.describe('When it happened: the stated start date, else the first report’s date'),
    startDate: isoDay.nullable(),
    endDate: isoDay.nullable(),
    place: z.string().nullable(),
    topics: z.array(z.string()),
    rulesVersion: z.string(),
    firstSeenAt: isoDateTime,
    lastSeenAt: isoDateTime,
    sourceCount: z.number().int(),
  })
  .meta({ id: 'DiplomaticEvent' }) satisfies z.ZodType<EventListItem>;

export const eventPageSchema = z
  .object({
    items: z.array(eventListItemSchema),
    nextCursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last page'),
    asOf: isoDateTime.nullable().describe('The moment the page describes (null: now)'),
  })
  .meta({ id: 'DiplomaticEventPage' });

const sourceSchema = z.object({
  articleId: z.string(),
  title: z.string(),
  url: z.string(),
  feedUrl: z.string(),
  publishedAt: isoDateTime.nullable(),
  confidence: z.number(),
  evidence: z
    .unknown()
    .describe('Sentences of the article that justify the event, with the rules that fired'),
  context: z.unknown().describe('Earlier acts the article recalls (related context)'),
  detectedAt: isoDateTime,
  classification: z.unknown().describe('The ArticleClassified result that produced the detection'),
});

export const eventDetailSchema = eventListItemSchema
  .extend({
    asOf: isoDateTime.nullable(),
    version: z.number().int().nullable().describe('The version shown (see /events/{id}/history)'),
    recordedAt: isoDateTime.nullable().describe('When the log recorded that version'),
    mergedFrom: z
      .string()
      .nullable()
      .describe('The id asked for, when it names an event merged into this one (its id is `id`); else null'),
    sources: z.array(sourceSchema),
  })
  .meta({ id: 'DiplomaticEventDetail' });

export const eventHistorySchema = z
  .object({
    id: z.string(),
    mergedFrom: z
      .string()
      .nullable()
      .describe('The id asked for, when it names an event merged into this one; else null'),
    versions: z.array(
      z.object({
        version: z.number().int(),
        recordedAt: isoDateTime.describe('When the log recorded the change'),
        streamSequence: z.number().int(),
        change: z.string().describe('created, source_added or updated'),
        changes: z.array(z.object({ field: z.string(), from: z.unknown(), to: z.unknown() })),
        state: eventListItemSchema,
      }),
    ),
  })
  .meta({ id: 'DiplomaticEventHistory' });

export const timeseriesSchema = z
  .object({
    interval: z.enum(['day', 'week', 'month']),
    groupBy: z.enum(['country', 'pair', 'type']).nullable(),
    rows: z.array(
      z.object({
        period: isoDay.describe('First day of the period'),
        key: z.string().describe('Country code, pair (e.g. IDN-RUS, alphabetical), type, or "all"'),
        count: z.number().int(),
      }),
    ),
  })
  .meta({ id: 'Timeseries' });

export const articleSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    canonicalUrl: z.string(),
    guid: z.string().nullable(),
    feedUrl: z.string(),
    title: z.string(),
    text: z.string(),
    author: z.string().nullable(),
    language: z.string().nullable(),
    publishedAt: isoDateTime.nullable(),
    ingestedAt: isoDateTime,
    relevant: z.boolean().nullable(),
    relevance: z.number().nullable(),
    rulesVersion: z.string().nullable(),
    classifiedAt: isoDateTime.nullable(),
    classification: z.unknown(),
    diplomaticEventIds: z.array(z.string()),
  })
  .meta({ id: 'Article' });

export const errorSchema = z
  .object({ statusCode: z.number().int(), error: z.string(), message: z.string() })
  .meta({ id: 'Error' });
