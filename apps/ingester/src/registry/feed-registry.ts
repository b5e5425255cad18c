import { z } from 'zod';
import { type FeedHealthPatch } from '@diplowatch/domain';
import { type FeedModel, Prisma, type PrismaClient } from '@diplowatch/persistence';

/*
 * The feed registry (table `feeds`): ingester- and API-owned state, written directly, NOT a read
 * model rebuilt from the log. Why not event-sourced: the schedule, lease and health columns
 * change on every poll (thousands of writes a minute, each meaningless a minute later), and
 * what matters for history - the articles - is in the log already. The few analyst decisions
 * (add, pause, remove) are kept as timestamps on the row; see docs/ingester.md.
 */

export const feedOptionsSchema = z
  .object({
    /** Fetch each new article's page and extract its main text (feeds that give only a summary). */
    fetchFullText: z.boolean().default(false),
  })
  .strict();
export type FeedOptions = z.infer<typeof feedOptionsSchema>;

export function feedOptions(value: unknown): FeedOptions {
  const parsed = feedOptionsSchema.safeParse(value ?? {});
  return parsed.success ? parsed.data : { fetchFullText: false };
}

export class FeedUrlError extends Error {
  readonly code = 'BAD_FEED_URL';
}

/** The registry's form of a feed URL: absolute http(s), WHATWG-serialised, no credentials or fragment. */
export function normalizeFeedUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new FeedUrlError(`not an absolute URL: ${raw}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new FeedUrlError(`only http and https feeds are polled, not ${url.protocol}`);
  if (url.username || url.password) throw new FeedUrlError('feed URLs with credentials are refused');
  if (raw.length > 2000) throw new FeedUrlError('feed URL is longer than 2000 characters');
  url.hash = '';
  return url.href;
}

export type NewFeed = {
  url: string;
  title?: string | null;
  language?: string | null;
  pollIntervalSeconds?: number;
  enabled?: boolean;
  options?: Partial<FeedOptions>;
};

/** A due feed, as claimed by one poller. */
export type ClaimedFeed = {
  id: string;
  url: string;
  title: string | null;
  language: string | null;
  pollIntervalSeconds: number;
  options: FeedOptions;
  etag: string | null;
  lastModified: string | null;
  /** Hash of the last document fully published (see bodyHashOf), null if none. */
  bodyHash: string | null;
  consecutiveFailures: number;
  failingSince: Date | null;
  cadenceSeconds: number | null;
  lastItemAt: Date | null;
};

/** One poll's outcome for recordPolls: the health patch, and the body hash when it changes. */
export type PollRecord = { id: string; patch: FeedHealthPatch; bodyHash?: string | null };

type ClaimRow = {
  id: string;
  url: string;
  title: string | null;
  language: string | null;
  poll_interval_seconds: number;
  options: unknown;
  etag: string | null;
  last_modified: string | null;
  body_hash: string | null;
  consecutive_failures: number;
  failing_since: Date | null;
  cadence_seconds: number | null;
  last_item_at: Date | null;
};

export type FeedRow = FeedModel;

export class FeedRegistry {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Adds the listed feeds that the registry does not know yet. Feeds it knows (including removed
   * ones: removal is a soft delete) are left as they are, so the API's pause/remove/interval
   * edits survive a restart.
   */
  async seed(feeds: NewFeed[], origin: string, defaultIntervalSeconds: number): Promise<number> {
    let added = 0;
    // One statement per 5,000 feeds (arrays through unnest: a handful of bind parameters
    // whatever the size), so a seed file or a bulk import of thousands stays cheap.
    for (let start = 0; start < feeds.length; start += 5000) {
      const rows = feeds
        .slice(start, start + 5000)
        .map((feed) => this.toCreate(feed, origin, defaultIntervalSeconds));
      added += await this.prisma.$executeRaw`
        INSERT INTO feeds (url, title, language, poll_interval_seconds, enabled, options, origin)
        SELECT url, title, language, interval, enabled, options::jsonb, ${origin}
          FROM unnest(${rows.map((r) => r.url)}::text[], ${rows.map((r) => r.title)}::text[],
                      ${rows.map((r) => r.language)}::text[], ${rows.map((r) => r.pollIntervalSeconds)}::int[],
                      ${rows.map((r) => r.enabled)}::boolean[], ${rows.map((r) => JSON.stringify(r.options))}::text[])
               AS t(url, title, language, interval, enabled, options)
        ON CONFLICT (url) DO NOTHING`;
    }
    return added;
  }

  /**
   * Claims up to `limit` due feeds for `worker` until the lease expires. FOR UPDATE SKIP LOCKED
   * lets replicas claim concurrently without waiting for each other or claiming the same row;
   * the lease (leased_until) keeps a claimed feed away from others while it is polled, and
   * frees it if its poller dies. Uses the database clock, shared by every replica.
   */
  async claimDue(worker: string, limit: number, leaseSeconds: number): Promise<ClaimedFeed[]> {
    if (limit <= 0) return [];
    const rows = await this.prisma.$queryRaw<ClaimRow[]>`
      WITH due AS (
        SELECT id FROM feeds
        WHERE enabled AND removed_at IS NULL AND next_check_at <= now()
          AND (leased_until IS NULL OR leased_until < now())
        ORDER BY next_check_at
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      )
      UPDATE feeds f
         SET leased_until = now() + make_interval(secs => ${leaseSeconds}::double precision),
             leased_by = ${worker}
        FROM due
       WHERE f.id = due.id
      RETURNING f.id, f.url, f.title, f.language, f.poll_interval_seconds, f.options, f.etag,
                f.last_modified, f.body_hash, f.consecutive_failures, f.failing_since, f.cadence_seconds,
                f.last_item_at`;
    return rows.map((row) => ({
      id: row.id,
      url: row.url,
      title: row.title,
      language: row.language,
      pollIntervalSeconds: row.poll_interval_seconds,
      options: feedOptions(row.options),
      etag: row.etag,
      lastModified: row.last_modified,
      bodyHash: row.body_hash,
      consecutiveFailures: row.consecutive_failures,
      failingSince: row.failing_since,
      cadenceSeconds: row.cadence_seconds,
      lastItemAt: row.last_item_at,
    }));
  }

  /** Gives claimed feeds back unpolled (shutdown): due again at once for any replica. */
  async release(ids: string[], worker: string): Promise<void> {
    if (ids.length === 0) return;
    await this.prisma.feed.updateMany({
      where: { id: { in: ids }, leasedBy: worker },
      data: { leasedUntil: null, leasedBy: null },
    });
  }

  /**
   * Writes the outcomes of several polls in one statement and ends their leases; returns the ids
   * written. Only rows `worker` still holds are written: a poller whose lease expired (it hung)
   * does not overwrite the outcome of the one that took over. One statement for many feeds
   * because at thousands of polls a minute, a round trip and a commit per feed would make the
   * database the bottleneck.
   */
  async recordPolls(worker: string, entries: PollRecord[]): Promise<Set<string>> {
    if (entries.length === 0) return new Set();
    // One JSON document per feed: the patch as JSON.stringify writes it (a field left undefined
    // is absent, so its column keeps its value; a Date is its ISO string), with the id and
    // body hash in front. Written as text directly: no intermediate object per feed.
    const docs = entries
      .map(({ id, patch, bodyHash }) => {
        const head =
          bodyHash === undefined
            ? `{"id":${JSON.stringify(id)}`
            : `{"id":${JSON.stringify(id)},"bodyHash":${JSON.stringify(bodyHash)}`;
        const body = JSON.stringify(patch);
        return body === '{}' ? `${head}}` : `${head},${body.slice(1)}`;
      })
      .join(',');
    // `d ? 'x'` distinguishes "set x to null" from "leave x alone" (absent from the patch).
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      UPDATE feeds f SET
        last_checked_at = (d->>'lastCheckedAt')::timestamptz,
        last_outcome = d->>'lastOutcome',
        last_http_status = (d->>'lastHttpStatus')::int,
        next_check_at = (d->>'nextCheckAt')::timestamptz,
        consecutive_failures = (d->>'consecutiveFailures')::int,
        failing_since = (d->>'failingSince')::timestamptz,
        possible_gap = (d->>'possibleGap')::boolean,
        items_seen = f.items_seen + (d->>'itemsSeenIncrement')::bigint,
        etag = CASE WHEN d ? 'etag' THEN d->>'etag' ELSE f.etag END,
        last_modified = CASE WHEN d ? 'lastModified' THEN d->>'lastModified' ELSE f.last_modified END,
        body_hash = CASE WHEN d ? 'bodyHash' THEN d->>'bodyHash' ELSE f.body_hash END,
        last_success_at = CASE WHEN d ? 'lastSuccessAt' THEN (d->>'lastSuccessAt')::timestamptz ELSE f.last_success_at END,
        last_error_at = CASE WHEN d ? 'lastErrorAt' THEN (d->>'lastErrorAt')::timestamptz ELSE f.last_error_at END,
        last_error_code = CASE WHEN d ? 'lastErrorCode' THEN d->>'lastErrorCode' ELSE f.last_error_code END,
        last_error = CASE WHEN d ? 'lastError' THEN d->>'lastError' ELSE f.last_error END,
        last_item_count = CASE WHEN d ? 'lastItemCount' THEN (d->>'lastItemCount')::int ELSE f.last_item_count END,
        cadence_seconds = CASE WHEN d ? 'cadenceSeconds' THEN (d->>'cadenceSeconds')::int ELSE f.cadence_seconds END,
        last_item_at = CASE WHEN d ? 'lastItemAt' THEN (d->>'lastItemAt')::timestamptz ELSE f.last_item_at END,
        leased_until = NULL,
        leased_by = NULL
      FROM jsonb_array_elements(${`[${docs}]`}::jsonb) AS d
      WHERE f.id = (d->>'id')::uuid AND f.leased_by = ${worker}
      RETURNING f.id`;
    return new Set(rows.map((row) => row.id));
  }

  async list(options: { includeRemoved?: boolean } = {}): Promise<FeedRow[]> {
    return this.prisma.feed.findMany({
      where: options.includeRemoved ? {} : { removedAt: null },
      orderBy: [{ createdAt: 'asc' }, { url: 'asc' }],
    });
  }

  async get(id: string): Promise<FeedRow | null> {
    if (!z.uuid().safeParse(id).success) return null;
    return this.prisma.feed.findFirst({ where: { id, removedAt: null } });
  }

  async findByUrl(url: string): Promise<FeedRow | null> {
    return this.prisma.feed.findUnique({ where: { url } });
  }

  /**
   * Adds a feed, or brings back a removed one with the given settings (its health history
   * kept). Returns null when an active feed already has this URL.
   */
  async add(feed: NewFeed, origin: string, defaultIntervalSeconds: number): Promise<FeedRow | null> {
    const data = this.toCreate(feed, origin, defaultIntervalSeconds);
    const existing = await this.findByUrl(data.url);
    if (existing && existing.removedAt === null) return null;
    if (existing) {
      const revived = await this.prisma.feed.updateMany({
        where: { id: existing.id, removedAt: { not: null } },
        data: { ...data, removedAt: null, nextCheckAt: new Date(), updatedAt: new Date() },
      });
      return revived.count === 1 ? this.prisma.feed.findUnique({ where: { id: existing.id } }) : null;
    }
    try {
      return await this.prisma.feed.create({ data });
    } catch (error) {
      // Another request added the same URL in between.
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return null;
      throw error;
    }
  }

  /** Pause (false) or resume (true). Resuming makes the feed due at once. */
  async setEnabled(id: string, enabled: boolean): Promise<FeedRow | null> {
    if (!z.uuid().safeParse(id).success) return null;
    const result = await this.prisma.feed.updateMany({
      where: { id, removedAt: null },
      data: enabled
        ? { enabled: true, nextCheckAt: new Date(), updatedAt: new Date() }
        : { enabled: false, updatedAt: new Date() },
    });
    return result.count === 1 ? this.get(id) : null;
  }

  /** Soft delete: no longer polled or listed; the seed file does not bring it back. */
  async remove(id: string): Promise<boolean> {
    if (!z.uuid().safeParse(id).success) return false;
    const result = await this.prisma.feed.updateMany({
      where: { id, removedAt: null },
      data: {
        removedAt: new Date(),
        enabled: false,
        updatedAt: new Date(),
        leasedUntil: null,
        leasedBy: null,
      },
    });
    return result.count === 1;
  }

  private toCreate(feed: NewFeed, origin: string, defaultIntervalSeconds: number) {
    return {
      url: normalizeFeedUrl(feed.url),
      title: feed.title ?? null,
      language: feed.language ?? null,
      pollIntervalSeconds: Math.round(feed.pollIntervalSeconds ?? defaultIntervalSeconds),
      enabled: feed.enabled ?? true,
      options: feedOptionsSchema.parse(feed.options ?? {}),
      origin,
    };
  }
}

/** Minimal columns for counting feeds by condition (metrics). */
export async function feedConditionRows(prisma: PrismaClient) {
  return prisma.feed.findMany({
    where: { removedAt: null },
    select: {
      enabled: true,
      lastCheckedAt: true,
      consecutiveFailures: true,
      failingSince: true,
      possibleGap: true,
    },
  });
}
