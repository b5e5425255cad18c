// Reclassifying history after a rules change: every stored article is classified again with
// the current watch, the results are published to the log exactly as the classifier app
// publishes them (classificationEvents), and the report says which diplomatic events appeared,
// changed or vanished compared with what the read models hold from the previous classification.
import { type NewsEvent } from '@diplowatch/contracts';
import { articleIngestedEventId, classificationEvents, type Watch } from '@diplowatch/domain';
import { type PrismaClient } from '@diplowatch/persistence';
import {
  diffArticleEvents,
  type ArticleDiff,
  type EventSnapshot,
  type OldEvent,
  type ReclassifyTotals,
} from './reclassify-diff';

/** Where results go: the EventPublisher of @diplowatch/messaging, or nothing on a dry run. */
export type EventSink = { publish(event: NewsEvent): Promise<{ seq: number; duplicate: boolean }> };

export type ReclassifyOptions = {
  prisma: PrismaClient;
  watch: Watch;
  /** null: a dry run, nothing is published. */
  publisher: EventSink | null;
  /** Also articles already classified by this watch, rules version and content. */
  force?: boolean;
  batchSize?: number;
  /** Articles published at once (each one's events stay in order: classification first). */
  concurrency?: number;
  onProgress?: (done: number) => void;
  now?: () => Date;
};

export type ReclassifyReport = {
  watch: string;
  rulesVersion: string;
  dryRun: boolean;
  diffs: ArticleDiff[];
  totals: ReclassifyTotals;
};

type StoredClassification = {
  watch?: unknown;
  rulesVersion?: unknown;
  contentHash?: unknown;
  relevant?: unknown;
};

const isoDay = (d: Date | null): string | null => (d ? d.toISOString().slice(0, 10) : null);
const actorNames = (actors: unknown): string[] =>
  Array.isArray(actors)
    ? actors
        .map((a) =>
          a && typeof a === 'object' && 'name' in a ? String((a as { name: unknown }).name) : null,
        )
        .filter((n): n is string => n !== null)
    : [];

/** Runs `work` over the items with at most `limit` in flight. */
const pool = async <T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> => {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
};

/** The previous diplomatic events of some articles, as the read models hold them. */
const oldEventsOf = async (prisma: PrismaClient, articleIds: string[]): Promise<Map<string, OldEvent[]>> => {
  const sources = await prisma.diplomaticEventSource.findMany({
    where: { articleId: { in: articleIds } },
    select: {
      articleId: true,
      diplomaticEvent: {
        select: { id: true, type: true, countries: true, actors: true, startDate: true, endDate: true },
      },
    },
  });
  // The projector folds reports of one act into one row; the classifier keys it folded are its
  // aliases, which is how an unchanged act is recognised by identity.
  const eventIds = [...new Set(sources.map((s) => s.diplomaticEvent.id))];
  const aliases = eventIds.length
    ? await prisma.diplomaticEventAlias.findMany({
        where: { diplomaticEventId: { in: eventIds } },
        select: { alias: true, diplomaticEventId: true },
      })
    : [];
  const keysOf = new Map<string, string[]>();
  for (const a of aliases)
    keysOf.set(a.diplomaticEventId, [...(keysOf.get(a.diplomaticEventId) ?? []), a.alias]);
  const out = new Map<string, OldEvent[]>();
  for (const s of sources) {
    const e = s.diplomaticEvent;
    const list = out.get(s.articleId) ?? [];
    list.push({
      id: e.id,
      keys: keysOf.get(e.id) ?? [],
      type: e.type,
      countries: [...e.countries].sort(),
      actors: actorNames(e.actors).sort(),
      startDate: isoDay(e.startDate),
      endDate: isoDay(e.endDate),
    });
    out.set(s.articleId, list);
  }
  return out;
};

export async function reclassify(o: ReclassifyOptions): Promise<ReclassifyReport> {
  const { prisma, watch, publisher } = o;
  const batchSize = o.batchSize ?? 200;
  const now = o.now ?? (() => new Date());
  const diffs: ArticleDiff[] = [];
  const totals: ReclassifyTotals = {
    articles: 0,
    current: 0,
    reclassified: 0,
    relevantBefore: 0,
    relevantAfter: 0,
    appeared: 0,
    changed: 0,
    vanished: 0,
    unchanged: 0,
    published: 0,
    duplicates: 0,
  };

  let cursor: string | undefined;
  for (;;) {
    const articles = await prisma.article.findMany({
      where: cursor === undefined ? {} : { id: { gt: cursor } },
      orderBy: { id: 'asc' },
      take: batchSize,
      select: {
        id: true,
        title: true,
        text: true,
        publishedAt: true,
        contentHash: true,
        relevant: true,
        rulesVersion: true,
        classification: true,
      },
    });
    if (articles.length === 0) break;
    cursor = articles[articles.length - 1]!.id;
    const before = await oldEventsOf(
      prisma,
      articles.map((a) => a.id),
    );

    const work: { events: NewsEvent[] }[] = [];
    for (const a of articles) {
      totals.articles++;
      const stored = (a.classification ?? null) as StoredClassification | null;
      const relevantBefore = typeof stored?.relevant === 'boolean' ? stored.relevant : (a.relevant ?? null);
      if (relevantBefore) totals.relevantBefore++;
      const current =
        stored !== null &&
        stored.watch === watch.id &&
        stored.rulesVersion === watch.version &&
        stored.contentHash === a.contentHash;
      if (current && !o.force) {
        totals.current++;
        if (relevantBefore) totals.relevantAfter++;
        continue;
      }
      const ingested = articleIngestedEventId(a.id, a.contentHash);
      const { result, events } = classificationEvents(
        {
          articleId: a.id,
          contentHash: a.contentHash,
          title: a.title,
          text: a.text,
          publishedAt: a.publishedAt ? a.publishedAt.toISOString() : null,
        },
        watch,
        { correlationId: ingested, causationId: ingested },
        now(),
      );
      totals.reclassified++;
      if (result.relevant) totals.relevantAfter++;
      const after: EventSnapshot[] = result.diplomaticEvents.map((e) => ({
        id: e.diplomaticEventId,
        type: e.type,
        countries: [...e.countries].sort(),
        actors: e.actors.map((x) => x.name).sort(),
        startDate: e.startDate,
        endDate: e.endDate,
      }));
      const old = before.get(a.id) ?? [];
      const diff = diffArticleEvents(
        {
          articleId: a.id,
          title: a.title,
          rulesBefore: typeof stored?.rulesVersion === 'string' ? stored.rulesVersion : a.rulesVersion,
          rulesAfter: result.rulesVersion,
          relevantBefore,
          relevantAfter: result.relevant,
        },
        old,
        after,
        watch.data.manifest.anchor,
      );
      diffs.push(diff);
      totals.appeared += diff.appeared.length;
      totals.changed += diff.changed.length;
      totals.vanished += diff.vanished.length;
      totals.unchanged += diff.unchanged;
      work.push({ events });
    }

    if (publisher) {
      await pool(work, o.concurrency ?? 16, async ({ events }) => {
        for (const event of events) {
          const ack = await publisher.publish(event);
          totals.published++;
          if (ack.duplicate) totals.duplicates++;
        }
      });
    }
    o.onProgress?.(totals.articles);
    if (articles.length < batchSize) break;
  }
  return { watch: watch.id, rulesVersion: watch.version, dryRun: publisher === null, diffs, totals };
}
