import * as fs from 'node:fs';
import * as path from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/transport-node';
import { decodeEvent, topology, type NewsEvent, type Topology } from '@diplowatch/contracts';
import {
  classifyArticle,
  defaultWatchDir,
  optionalWatchFileNames,
  parseWatch,
  watchFileNames,
  type Watch,
  type WatchSources,
} from '@diplowatch/domain';
import { EventPublisher, ensureStreams } from '@diplowatch/messaging';
import { createPrismaClient, type Prisma, type PrismaClient } from '@diplowatch/persistence';
import {
  connectTestNats,
  createTestDatabase,
  deleteNamespace,
  testNamespace,
  type TestDatabase,
} from '@diplowatch/testing';
import { reclassify, type ReclassifyReport } from './reclassify';

// The bundled watch with a rules change: a new version and one more talks trigger.
const modifiedWatch = (): Watch => {
  const dir = defaultWatchDir();
  const sources = Object.fromEntries(
    [...Object.values(watchFileNames), ...Object.values(optionalWatchFileNames)]
      .filter((f) => fs.existsSync(path.join(dir, f)))
      .map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]),
  ) as WatchSources;
  const manifest = JSON.parse(sources['watch.json']) as { version: string };
  manifest.version = 'test-reclassify-2';
  const rules = JSON.parse(sources['rules.json']) as {
    eventTypes: { type: string; triggers: { terms: string[] }[] }[];
  };
  rules.eventTypes.find((t) => t.type === 'meeting_talks')!.triggers[0]!.terms.push('parleyed');
  return parseWatch(
    { ...sources, 'watch.json': JSON.stringify(manifest), 'rules.json': JSON.stringify(rules) },
    'modified',
  );
};

const SEED_TEXT =
  "Sergei Shoigu, Russia's Security Council Secretary, is visiting Indonesia and Malaysia from February 24-28 to discuss security and defense. " +
  "The visit highlights Russia's shift towards Asia post-Ukraine invasion. Indonesia's interest in joining BRICS and Malaysia's recent engagement " +
  'with Russia illustrates the growing diplomatic ties in the region, aimed at countering Western influence.';

type Seed = {
  id: string;
  title: string;
  text: string;
  classification: Record<string, unknown> | null;
  contentHash?: string;
};

describe('reclassify (stored articles, real Postgres and JetStream)', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let nc: NatsConnection;
  let namespace: string;
  let t: Topology;
  const watch = modifiedWatch();
  const publishedAt = new Date('2025-02-24T08:00:00Z');

  const seedArticle = async (a: Seed): Promise<void> => {
    await prisma.article.create({
      data: {
        id: a.id,
        url: `https://example.org/${a.id}`,
        canonicalUrl: `https://example.org/${a.id}`,
        feedUrl: 'https://example.org/feed.xml',
        title: a.title,
        text: a.text,
        publishedAt,
        ingestedAt: publishedAt,
        contentHash: a.contentHash ?? `hash-${a.id}`,
        relevant: (a.classification?.relevant as boolean | undefined) ?? null,
        rulesVersion: (a.classification?.rulesVersion as string | undefined) ?? null,
        classification: (a.classification ?? undefined) as Prisma.InputJsonValue | undefined,
        lastSequence: 1n,
      },
    });
  };
  const seedEvent = async (
    articleId: string,
    e: {
      id: string;
      alias: string;
      type: string;
      countries: string[];
      actors: string[];
      start?: string;
      end?: string;
    },
  ): Promise<void> => {
    await prisma.diplomaticEvent.create({
      data: {
        id: e.id,
        type: e.type,
        countries: e.countries,
        actors: e.actors.map((name) => ({ name, office: null, country: null, role: null })),
        confidence: 0.8,
        summary: e.type,
        startDate: e.start ? new Date(`${e.start}T00:00:00Z`) : null,
        endDate: e.end ? new Date(`${e.end}T00:00:00Z`) : null,
        eventDate: publishedAt,
        topics: [],
        rulesVersion: 'old-1',
        firstSeenAt: publishedAt,
        lastSeenAt: publishedAt,
        sourceCount: 1,
        lastSequence: 2n,
      },
    });
    await prisma.diplomaticEventSource.create({
      data: {
        diplomaticEventId: e.id,
        articleId,
        confidence: 0.8,
        evidence: [],
        context: [],
        detectedAt: publishedAt,
      },
    });
    await prisma.diplomaticEventAlias.create({
      data: { alias: e.alias, diplomaticEventId: e.id, firstSequence: 2n },
    });
  };
  const old = (relevant: boolean, ids: string[] = []): Record<string, unknown> => ({
    watch: 'russia-sea',
    rulesVersion: 'old-1',
    contentHash: 'stale',
    relevant,
    diplomaticEventIds: ids,
  });

  const published = async (): Promise<NewsEvent[]> => {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(t.eventStream);
    const out: NewsEvent[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const m = await jsm.streams.getMessage(t.eventStream, { seq });
      if (m) out.push(decodeEvent(m.data));
    }
    return out;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = createPrismaClient(db.url, 2);
    nc = await connectTestNats();
    namespace = testNamespace('reclassify');
    t = topology(namespace);
    await ensureStreams(await jetstreamManager(nc), t, { duplicateWindowSeconds: 120, maxAgeDays: 0 });

    // Given: what a previous rules version left in the read models.
    const seedNow = classifyArticle(
      {
        id: 'a-seed',
        title: 'Shoigu visits Indonesia and Malaysia',
        text: SEED_TEXT,
        publishedAt: publishedAt.toISOString(),
      },
      watch,
    );
    const visitKey = seedNow.diplomaticEvents[0]!.diplomaticEventId;
    await seedArticle({
      id: 'a-seed',
      title: 'Shoigu visits Indonesia and Malaysia',
      text: SEED_TEXT,
      classification: old(true, [visitKey, 'old-key-talks']),
    });
    // The same visit (same key), and talks the old rules read into "engagement with Russia".
    await seedEvent('a-seed', {
      id: 'ev-visit',
      alias: visitKey,
      type: 'visit',
      countries: ['IDN', 'MYS', 'RUS'],
      actors: ['Sergei Shoigu'],
      start: '2025-02-24',
      end: '2025-02-28',
    });
    await seedEvent('a-seed', {
      id: 'ev-talks',
      alias: 'old-key-talks',
      type: 'meeting_talks',
      countries: ['MYS', 'RUS'],
      actors: [],
    });
    // Talks found before with one actor fewer: a change, not a new act.
    await seedArticle({
      id: 'b-talks',
      title: 'Putin holds talks with Prabowo in the Kremlin',
      text: 'Indonesian President Prabowo Subianto met Vladimir Putin in Moscow on Thursday to discuss energy and defence cooperation.',
      classification: old(true, ['old-key-b']),
    });
    await seedEvent('b-talks', {
      id: 'ev-b',
      alias: 'old-key-b',
      type: 'meeting_talks',
      countries: ['IDN', 'RUS'],
      actors: ['Vladimir Putin'],
    });
    // A tourist story the old rules took for a visit: it vanishes.
    await seedArticle({
      id: 'c-tourist',
      title: 'Russian tourist arrested after bar fight in Phuket',
      text: 'Thai police detained the Russian man on Saturday.',
      classification: old(true, ['old-key-c']),
    });
    await seedEvent('c-tourist', {
      id: 'ev-c',
      alias: 'old-key-c',
      type: 'visit',
      countries: ['RUS', 'THA'],
      actors: [],
    });
    // Never classified before: its drills appear.
    await seedArticle({
      id: 'd-drills',
      title: 'Indonesia, Russia Kick Off First Joint Naval Drills',
      text: 'Russia has sent three corvette class warships for five-day maneuvers with the Indonesian Navy.',
      classification: null,
    });
    // Already classified by these rules and this content: skipped.
    await seedArticle({
      id: 'e-current',
      title: 'Vietnam applies to join BRICS as a partner country',
      text: 'Hanoi has submitted its application, the foreign ministry said.',
      contentHash: 'h-e',
      classification: {
        watch: watch.id,
        rulesVersion: watch.version,
        contentHash: 'h-e',
        relevant: true,
        diplomaticEventIds: [],
      },
    });
  }, 60_000);

  afterAll(async () => {
    await prisma?.$disconnect();
    if (nc) {
      await deleteNamespace(nc, namespace);
      await nc.drain();
    }
    await db?.drop();
  });

  describe('when run as a dry run', () => {
    let report: ReclassifyReport;
    beforeAll(async () => {
      report = await reclassify({ prisma, watch, publisher: null, batchSize: 2 });
    });

    it('reports appeared, changed and vanished diplomatic events per article', () => {
      const byId = new Map(report.diffs.map((d) => [d.articleId, d]));
      const seed = byId.get('a-seed')!;
      expect(seed.unchanged).toBe(1);
      expect(seed.vanished).toEqual([
        expect.objectContaining({ type: 'meeting_talks', countries: ['MYS', 'RUS'] }),
      ]);
      expect(seed.changed).toEqual([]);

      const talks = byId.get('b-talks')!;
      expect(talks.changed).toEqual([
        expect.objectContaining({
          // "on Thursday" now resolves to a date; the old row had none.
          fields: ['actors', 'dates'],
          after: expect.objectContaining({ actors: ['Prabowo Subianto', 'Vladimir Putin'] }),
        }),
      ]);

      const tourist = byId.get('c-tourist')!;
      expect(tourist).toMatchObject({ relevantBefore: true, relevantAfter: false, appeared: [] });
      expect(tourist.vanished).toEqual([expect.objectContaining({ id: 'ev-c', type: 'visit' })]);

      const drills = byId.get('d-drills')!;
      expect(drills.relevantBefore).toBeNull();
      expect(drills.appeared).toEqual([
        expect.objectContaining({ type: 'military_exercise', countries: ['IDN', 'RUS'] }),
      ]);

      expect(byId.has('e-current')).toBe(false);
      expect(report.totals).toMatchObject({
        articles: 5,
        current: 1,
        reclassified: 4,
        appeared: 1,
        changed: 1,
        vanished: 2,
        unchanged: 1,
        published: 0,
      });
      expect(report.dryRun).toBe(true);
    });

    it('publishes nothing', async () => {
      expect(await published()).toEqual([]);
    });
  });

  describe('when run for real', () => {
    let report: ReclassifyReport;
    beforeAll(async () => {
      report = await reclassify({
        prisma,
        watch,
        publisher: new EventPublisher(jetstream(nc), t),
        batchSize: 2,
      });
    }, 30_000);

    it('publishes the classification, then each diplomatic event, with the new rules version', async () => {
      const events = await published();
      const classifications = events.filter((e) => e.type === 'ArticleClassified');
      const detections = events.filter((e) => e.type === 'DiplomaticEventDetected');
      expect(classifications.map((e) => e.data.articleId).sort()).toEqual([
        'a-seed',
        'b-talks',
        'c-tourist',
        'd-drills',
      ]);
      expect(detections.map((e) => e.data.articleId).sort()).toEqual(['a-seed', 'b-talks', 'd-drills']);
      for (const e of events)
        expect(e.data).toMatchObject({ watch: 'russia-sea', rulesVersion: 'test-reclassify-2' });
      // Each article's classification precedes its detections, and names them.
      for (const c of classifications) {
        const mine = events.filter(
          (e) => e.type === 'DiplomaticEventDetected' && e.data.articleId === c.data.articleId,
        );
        for (const d of mine) expect(events.indexOf(d)).toBeGreaterThan(events.indexOf(c));
        if (c.type === 'ArticleClassified')
          expect(c.data.diplomaticEventIds.sort()).toEqual(
            mine.map((d) => (d.type === 'DiplomaticEventDetected' ? d.data.diplomaticEventId : '')).sort(),
          );
      }
      // Linked to the article revision that caused it.
      expect(classifications[0]!.metadata.causationId).toMatch(/^ArticleIngested:[0-9a-f]{40}$/);
      expect(report.totals).toMatchObject({ published: events.length, duplicates: 0 });
    });

    it('publishes the same ids when run again with the same rules (dropped as duplicates)', async () => {
      const again = await reclassify({ prisma, watch, publisher: new EventPublisher(jetstream(nc), t) });
      expect(again.totals.published).toBe(report.totals.published);
      expect(again.totals.duplicates).toBe(again.totals.published);
      expect((await published()).length).toBe(report.totals.published);
    }, 30_000);
  });
});
