import { countryCodeSchema, diplomaticEventTypes } from '@diplowatch/contracts';
import { z } from 'zod';

// The query parameters of the read API, as zod schemas: they validate (a 400 names the bad
// parameter, see describeQueryIssues) and, converted to JSON Schema, document the API.

/** A parameter given once, repeated (`?a=1&a=2`) or comma-separated (`?a=1,2`). */
const listParam = (description: string) =>
  z
    .union([z.string(), z.array(z.string())])
    .optional()
    .describe(description)
    .transform((value) =>
      (value === undefined ? [] : [value].flat())
        .flatMap((item) => item.split(','))
        .map((item) => item.trim())
        .filter(Boolean),
    );

/** Like listParam, for values that may themselves hold commas (URLs): repeat the parameter. */
const repeatedParam = (description: string) =>
  z
    .union([z.string(), z.array(z.string())])
    .optional()
    .describe(description)
    .transform((value) => (value === undefined ? [] : [value].flat()).map((item) => item.trim()));

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    // Date rolls 2025-02-30 over to March 2nd: a real date survives the round trip.
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
  }, 'is not a real date');

const countryCode = countryCodeSchema.describe('ISO 3166-1 alpha-3 code or ASEAN');

/** `RUS-IDN`: the two codes of a pair, sorted, so `RUS-IDN` and `IDN-RUS` are one pair. */
const countryPair = z
  .string()
  .transform((value) => value.toUpperCase())
  .pipe(
    z
      .string()
      .regex(/^([A-Z]{3}|ASEAN)-([A-Z]{3}|ASEAN)$/, 'must be two country codes joined by "-", e.g. RUS-IDN'),
  )
  .transform((value) => value.split('-').sort() as [string, string])
  .refine(([a, b]) => a !== b, 'must name two different countries');

/** Words of an actor's name: letters and digits of any script, lower-cased. */
export function actorWords(name: string): string[] {
  return name.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

export const eventFilterFields = {
  country: listParam(
    'Countries (ISO 3166-1 alpha-3 or ASEAN), comma-separated or repeated; see countryMatch',
  ).pipe(z.array(z.string().toUpperCase().pipe(countryCode)).max(12)),
  countryMatch: z
    .enum(['all', 'any'])
    .default('all')
    .describe('Whether an event must involve all the countries given (default) or any of them'),
  pair: listParam(
    'Country pairs such as RUS-IDN (either order), comma-separated: events involving both countries of any pair',
  ).pipe(z.array(countryPair).max(10)),
  actor: z
    .string()
    .max(100)
    .refine((value) => actorWords(value).length > 0, 'must contain a name')
    .optional()
    .describe(
      'An actor’s name, whole words in order and case-insensitive; the last word may be a prefix (actor=shoigu, actor=Sergei Sho)',
    ),
  type: listParam(`Event types, any of: ${diplomaticEventTypes.join(', ')}`).pipe(
    z.array(z.enum(diplomaticEventTypes)).max(diplomaticEventTypes.length),
  ),
  from: isoDate.optional().describe('Earliest event date, YYYY-MM-DD (inclusive)'),
  to: isoDate.optional().describe('Latest event date, YYYY-MM-DD (inclusive)'),
  publishedFrom: isoDate
    .optional()
    .describe('Earliest publication date of a source article, YYYY-MM-DD (inclusive, UTC)'),
  publishedTo: isoDate
    .optional()
    .describe('Latest publication date of a source article, YYYY-MM-DD (inclusive, UTC)'),
  minConfidence: z.coerce.number().min(0).max(1).optional().describe('Lowest confidence, 0 to 1 (inclusive)'),
  q: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(200)
    .optional()
    .describe(
      'Full-text search over the source articles’ title and text (English stemming; "quoted phrase", or, -not)',
    ),
  feed: repeatedParam('Source feed URLs (repeat the parameter for several): any of').pipe(
    z.array(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000)).max(10),
  ),
  asOf: z.iso
    .datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2025-03-01T00:00:00Z' })
    .optional()
    .describe('What was known at this moment: each event as the log had recorded it then'),
};

type RangeChecked = { from?: string; to?: string; publishedFrom?: string; publishedTo?: string };

/** `from` after `to` is a mistake worth a 400, not an empty page. */
function checkRanges(query: RangeChecked, ctx: z.RefinementCtx) {
  if (query.from && query.to && query.from > query.to)
    ctx.addIssue({ code: 'custom', message: 'must not be after "to"', path: ['from'] });
  if (query.publishedFrom && query.publishedTo && query.publishedFrom > query.publishedTo)
    ctx.addIssue({ code: 'custom', message: 'must not be after "publishedTo"', path: ['publishedFrom'] });
}

export const eventSorts = ['date', 'confidence'] as const;
export type EventSort = (typeof eventSorts)[number];
export type SortOrder = 'asc' | 'desc';

const sortFields = {
  sort: z
    .enum(eventSorts)
    .default('date')
    .describe('date: by event date; confidence: by confidence (ties by id, so the order is stable)'),
  order: z.enum(['asc', 'desc']).default('desc').describe('Sort direction'),
};

export const listEventsQuerySchema = z
  .object({
    ...eventFilterFields,
    ...sortFields,
    limit: z.coerce.number().int().min(1).max(200).default(50).describe('Page size, 1 to 200'),
    cursor: z.string().max(400).optional().describe('nextCursor of the previous page'),
  })
  .strict()
  .superRefine(checkRanges);
export type ListEventsQuery = z.infer<typeof listEventsQuerySchema>;

/** What every event query filters on (list, export, time series). */
export type EventFilters = Pick<ListEventsQuery, keyof typeof eventFilterFields>;

export const exportFormats = ['csv', 'ndjson'] as const;
export type ExportFormat = (typeof exportFormats)[number];

export const exportEventsQuerySchema = z
  .object({
    ...eventFilterFields,
    ...sortFields,
    format: z
      .enum(exportFormats)
      .default('csv')
      .describe('csv (RFC 4180) or ndjson (one JSON object a line)'),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .optional()
      .describe('At most this many events (default: all that match)'),
  })
  .strict()
  .superRefine(checkRanges);
export type ExportEventsQuery = z.infer<typeof exportEventsQuerySchema>;

export const eventDetailQuerySchema = z.object({ asOf: eventFilterFields.asOf }).strict();
export type EventDetailQuery = z.infer<typeof eventDetailQuerySchema>;

export const timeseriesIntervals = ['day', 'week', 'month'] as const;
export type TimeseriesInterval = (typeof timeseriesIntervals)[number];
export const timeseriesGroups = ['country', 'pair', 'type'] as const;
export type TimeseriesGroup = (typeof timeseriesGroups)[number];

export const timeseriesQuerySchema = z
  .object({
    ...eventFilterFields,
    interval: z
      .enum(timeseriesIntervals)
      .default('week')
      .describe('Bucket size on the event date (weeks start on Monday)'),
    groupBy: z
      .enum(timeseriesGroups)
      .optional()
      .describe(
        'One series per country, per country pair or per event type (an event counts once in each of its countries or pairs); none: one series, key "all"',
      ),
  })
  .strict()
  .superRefine(checkRanges);
export type TimeseriesQuery = z.infer<typeof timeseriesQuerySchema>;

export const eventIdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9:_.-]+$/, 'is not a valid id');
