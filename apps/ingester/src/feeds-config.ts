import { readFileSync } from 'node:fs';
import { z } from 'zod';

const feedConfigSchema = z.object({
  url: z.url({ protocol: /^https?$/ }),
  title: z.string().optional(),
  language: z.string().optional(),
  /** Poll interval in seconds; POLL_INTERVAL_SECONDS when absent. */
  pollIntervalSeconds: z.number().int().min(1).optional(),
  /** Fetch each new article's page for its full text (feeds that give only a summary). */
  fetchFullText: z.boolean().optional(),
  /** What kind of outlet this is (wire, state agency, daily…): shown to analysts, not used by code. */
  kind: z.string().optional(),
  /** Country the outlet is based in (ISO alpha-3). */
  country: z.string().optional(),
  /** Why this outlet is watched: shown to analysts, not used by code. */
  note: z.string().optional(),
});
export type FeedConfig = z.infer<typeof feedConfigSchema>;

const feedsFileSchema = z.object({ feeds: z.array(feedConfigSchema).min(1) });

/**
 * The seed list for the feed registry: FEED_URLS when given, else the feeds file. Errors name the
 * file and entry. Seeding only adds feeds the registry does not know (see FeedRegistry.seed).
 */
export function loadFeedsConfig(file: string, overrideUrls?: string[]): FeedConfig[] {
  if (overrideUrls && overrideUrls.length > 0) {
    return overrideUrls.map((url, index) => {
      const parsed = feedConfigSchema.safeParse({ url });
      if (!parsed.success) throw new Error(`FEED_URLS entry ${index + 1} ("${url}") is not an http(s) URL`);
      return parsed.data;
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read feeds file ${file}: ${(error as Error).message}`);
  }
  const parsed = feedsFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`feeds file ${file}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data.feeds;
}
