import { readFileSync } from 'node:fs';
import { z } from 'zod';

const feedConfigSchema = z.object({
  url: z.url({ protocol: /^https?$/ }),
  title: z.string().optional(),
  language: z.string().optional(),
  /** Why this outlet is watched: shown to analysts, not used by code. */
  note: z.string().optional(),
});
export type FeedConfig = z.infer<typeof feedConfigSchema>;

const feedsFileSchema = z.object({ feeds: z.array(feedConfigSchema).min(1) });

/** Feeds from FEED_URLS when given, else from the feeds file; errors name the file and entry. */
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
