import { z } from 'zod';
import { feedCondition } from '@diplowatch/domain';
import { type FeedLine, type FeedRow, feedOptions, feedOptionsSchema } from './registry';

/** POST /feeds body. Unknown fields are refused so a typo does not pass silently. */
export const addFeedSchema = z
  .object({
    url: z.string().min(1).max(2000),
    title: z.string().trim().min(1).max(500).optional(),
    language: z
      .string()
      .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag like "en" or "en-SG"')
      .optional(),
    pollIntervalSeconds: z
      .number()
      .int()
      .min(60)
      .max(7 * 86_400)
      .optional(),
    options: feedOptionsSchema.partial().optional(),
  })
  .strict();
export type AddFeedInput = z.infer<typeof addFeedSchema>;

export const feedIdSchema = z.uuid();

const iso = (value: Date | null) => (value ? value.toISOString() : null);

/** A feed as the API shows it: settings, a one-word condition and its health. */
export function feedView(row: FeedRow, now = new Date()) {
  return {
    id: row.id,
    url: row.url,
    title: row.title,
    language: row.language,
    pollIntervalSeconds: row.pollIntervalSeconds,
    enabled: row.enabled,
    options: feedOptions(row.options),
    origin: row.origin,
    createdAt: row.createdAt.toISOString(),
    condition: feedCondition(row, now),
    health: {
      lastCheckedAt: iso(row.lastCheckedAt),
      lastOutcome: row.lastOutcome,
      lastSuccessAt: iso(row.lastSuccessAt),
      lastErrorAt: iso(row.lastErrorAt),
      lastErrorCode: row.lastErrorCode,
      lastError: row.lastError,
      lastHttpStatus: row.lastHttpStatus,
      consecutiveFailures: row.consecutiveFailures,
      failingSince: iso(row.failingSince),
      itemsSeen: Number(row.itemsSeen),
      lastItemCount: row.lastItemCount,
      cadenceSeconds: row.cadenceSeconds,
      lastItemAt: iso(row.lastItemAt),
      possibleGap: row.possibleGap,
      nextCheckAt: iso(row.nextCheckAt),
      etag: row.etag,
      lastModified: row.lastModified,
    },
  };
}

/** The result of the fetch made when a feed is added: what the ingester would make of it now. */
export function checkView(line: FeedLine, title: string | null) {
  return { outcome: line.outcome, format: line.format, items: line.items, error: line.error, title };
}
