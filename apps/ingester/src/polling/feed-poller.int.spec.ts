import { Logger } from '@nestjs/common';
import { type NatsConnection } from '@nats-io/transport-node';
import { type NewsEvent } from '@diplowatch/contracts';
import { createPrismaClient, type PrismaClient } from '@diplowatch/persistence';
import {
  connectTestNats,
  createTestDatabase,
  deleteNamespace,
  eventually,
  type FeedServer,
  startFeedServer,
  type TestDatabase,
  testNamespace,
} from '@diplowatch/testing';
import { ArticlePublisher } from '../article-publisher';
import { KnownItems } from '../known-items';
import { FeedRegistry } from '../registry/feed-registry';
import { SeenArticles, type SeenStore } from '../seen-articles.store';
import { FeedPoller, type FeedPollerOptions, type PollReport } from './feed-poller';

jest.setTimeout(60_000);

const rss = (name: string, items: number, extra = '') =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>${name}</title>${Array.from(
    { length: items },
    (_, i) =>
      `<item><title>${name} story ${i}</title><link>https://news.example.org/${name}/${i}</link>` +
      `<description>About ${name} ${i}.</description><pubDate>Sun, 01 Nov 2026 ${String(10 + (i % 10)).padStart(2, '0')}:00:00 GMT</pubDate></item>`,
  ).join('')}${extra}</channel></rss>`;

const BOMB = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><rss version="2.0"><channel><title>&lol1;</title></channel></rss>`;

const quiet = new Logger('test');
quiet.log = () => undefined;
quiet.debug = () => undefined;
quiet.warn = () => undefined;

describe('FeedPoller against a shared registry', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let registry: FeedRegistry;
  let server: FeedServer;
  let nc: NatsConnection;
  const namespace = testNamespace('ingest');
  let seen: SeenArticles;
  const events: NewsEvent[] = [];
  const pollers: FeedPoller[] = [];

  const options = (workerId: string): FeedPollerOptions => ({
    workerId,
    concurrency: 4,
    hostConcurrency: 2,
    leaseSeconds: 60,
    tickMs: 50,
    maxBackoffSeconds: 3600,
    fetch: {
      timeoutMs: 2000,
      maxBytes: 1024 * 1024,
      allowPrivateNetworks: true,
      userAgent: 'diplowatch-test',
    },
  });

  const startPoller = (workerId: string, reports: PollReport[]) => {
    const articles = new ArticlePublisher({
      seen,
      publish: async (event) => {
        events.push(event);
        return { seq: events.length, duplicate: false };
      },
    });
    const poller = new FeedPoller(registry, articles, options(workerId), {
      logger: quiet,
      onPoll: (report) => reports.push(report),
    });
    pollers.push(poller);
    poller.start();
    return poller;
  };

  const stopAll = async () => {
    await Promise.all(pollers.splice(0).map((poller) => poller.stop()));
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = createPrismaClient(db.url, 4);
    registry = new FeedRegistry(prisma);
    server = await startFeedServer();
    nc = await connectTestNats();
    seen = await SeenArticles.open(nc, namespace);
  });

  afterEach(async () => {
    await stopAll();
    await prisma.feed.deleteMany();
    events.length = 0;
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
    await server?.close();
    if (nc) {
      await deleteNamespace(nc, namespace);
      await nc.drain();
    }
  });

  describe('given two pollers sharing one registry', () => {
    it('fetches each due feed exactly once per cycle', async () => {
      const feeds = Array.from({ length: 60 }, (_, i) => `/cycle/${i}.xml`);
      for (const [i, path] of feeds.entries()) server.set(path, { body: rss(`cycle${i}`, 2) });
      // Interval of an hour: after its poll a feed is not due again within this test.
      await registry.seed(
        feeds.map((path) => ({ url: server.url(path) })),
        'config',
        3600,
      );

      const a: PollReport[] = [];
      const b: PollReport[] = [];
      startPoller('poller-a', a);
      startPoller('poller-b', b);
      await eventually(async () => expect(a.length + b.length).toBe(feeds.length), 30_000, 50);
      // Give both a few more ticks to (wrongly) claim anything twice.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await stopAll();

      expect(feeds.map((path) => server.requests(path))).toEqual(feeds.map(() => 1));
      expect(a.length + b.length).toBe(feeds.length);
      expect(a.length).toBeGreaterThan(0);
      expect(b.length).toBeGreaterThan(0);
      expect(new Set([...a, ...b].map((r) => r.feed.id)).size).toBe(feeds.length);
      expect([...a, ...b].every((r) => r.recorded)).toBe(true);
      expect(events.filter((e) => e.type === 'ArticleIngested')).toHaveLength(feeds.length * 2);

      const rows = await prisma.feed.findMany();
      expect(rows.every((row) => row.leasedBy === null && row.lastOutcome === 'success')).toBe(true);
      expect(rows.every((row) => row.nextCheckAt.getTime() > Date.now() + 3000_000)).toBe(true);
      expect(rows.every((row) => row.itemsSeen === 2n && row.lastItemCount === 2)).toBe(true);
    });
  });

  describe('given broken, hostile and throttling feeds among good ones', () => {
    it('records a clear error on each bad feed and still publishes the good ones', async () => {
      const routes: Record<string, Parameters<FeedServer['set']>[1]> = {
        '/mix/good1.xml': { body: rss('good1', 3) },
        '/mix/bomb.xml': { body: BOMB },
        '/mix/html.xml': {
          body: '<!doctype html><html><body>Not a feed</body></html>',
          contentType: 'text/html',
        },
        '/mix/500.xml': { status: 500, body: 'oops' },
        '/mix/429.xml': { status: 429, headers: { 'retry-after': '7200' }, body: 'slow down' },
        '/mix/hang.xml': () => undefined,
        '/mix/good2.xml': { body: rss('good2', 2) },
      };
      for (const [path, route] of Object.entries(routes)) server.set(path, route);
      await registry.seed(
        Object.keys(routes).map((path) => ({ url: server.url(path) })),
        'config',
        600,
      );
      const reports: PollReport[] = [];
      startPoller('poller-mix', reports);
      await eventually(async () => expect(reports).toHaveLength(7), 30_000, 50);
      await stopAll();

      const byPath = new Map((await prisma.feed.findMany()).map((row) => [new URL(row.url).pathname, row]));
      expect(byPath.get('/mix/good1.xml')).toMatchObject({
        lastOutcome: 'success',
        consecutiveFailures: 0,
        lastHttpStatus: 200,
      });
      expect(byPath.get('/mix/good2.xml')).toMatchObject({ lastOutcome: 'success', consecutiveFailures: 0 });
      expect(byPath.get('/mix/bomb.xml')).toMatchObject({
        lastOutcome: 'error',
        lastErrorCode: 'entity_declaration',
        consecutiveFailures: 1,
        lastHttpStatus: 200,
      });
      expect(byPath.get('/mix/bomb.xml')!.lastError).toMatch(/declares entities/);
      expect(byPath.get('/mix/html.xml')).toMatchObject({ lastErrorCode: 'not_a_feed' });
      expect(byPath.get('/mix/500.xml')).toMatchObject({ lastErrorCode: 'http_status', lastHttpStatus: 500 });
      expect(byPath.get('/mix/hang.xml')).toMatchObject({ lastErrorCode: 'timeout' });
      const throttled = byPath.get('/mix/429.xml')!;
      expect(throttled).toMatchObject({ lastOutcome: 'throttled', lastHttpStatus: 429 });
      expect(throttled.nextCheckAt.getTime() - throttled.lastCheckedAt!.getTime()).toBeGreaterThanOrEqual(
        7200_000,
      );
      for (const row of byPath.values())
        expect(row.failingSince === null).toBe(row.consecutiveFailures === 0);
      expect(events.filter((e) => e.type === 'ArticleIngested')).toHaveLength(5);
    });
  });

  describe('when a feed is polled again', () => {
    it('sends its validators and a 304 costs no parsing', async () => {
      server.set('/cond/feed.xml', { body: rss('cond', 2) });
      await registry.seed([{ url: server.url('/cond/feed.xml') }], 'config', 600);
      const reports: PollReport[] = [];
      startPoller('poller-cond', reports);
      await eventually(async () => expect(reports).toHaveLength(1), 10_000, 50);
      const row = await prisma.feed.findFirstOrThrow();
      expect(row.etag).toMatch(/^".+"$/);
      await prisma.feed.updateMany({ data: { nextCheckAt: new Date(0) } });
      await eventually(async () => expect(reports).toHaveLength(2), 10_000, 50);
      await stopAll();
      expect(server.lastHeaders('/cond/feed.xml')?.['if-none-match']).toBe(row.etag);
      expect(reports[1]).toMatchObject({ outcome: 'not_modified', articles: null });
      expect(await prisma.feed.findFirstOrThrow()).toMatchObject({
        lastOutcome: 'not_modified',
        lastHttpStatus: 304,
        itemsSeen: 2n,
      });
    });
  });

  describe('when a server sends the same document again without validators', () => {
    // Counts what the publisher asks the store: a parsed and published document asks once per item.
    const counting = () => {
      const calls = { knownUnchanged: 0 };
      const store: SeenStore = {
        knownUnchanged: (...args) => {
          calls.knownUnchanged++;
          return seen.knownUnchanged(...args);
        },
        get: (id) => seen.get(id),
        put: (id, next, previous) => seen.put(id, next, previous),
      };
      return { calls, store };
    };

    const pollerWith = (workerId: string, store: SeenStore, reports: PollReport[]) => {
      const poller = new FeedPoller(
        registry,
        new ArticlePublisher({
          seen: store,
          publish: async (event) => {
            events.push(event);
            return { seq: events.length, duplicate: false };
          },
        }),
        options(workerId),
        { logger: quiet, onPoll: (r) => reports.push(r) },
      );
      pollers.push(poller);
      poller.start();
      return poller;
    };

    it('does not parse or publish it again, and does parse a changed one', async () => {
      server.set('/same/feed.xml', { body: rss('same', 3), etag: false });
      await registry.seed([{ url: server.url('/same/feed.xml') }], 'config', 600);
      const { calls, store } = counting();
      const reports: PollReport[] = [];
      pollerWith('poller-same', store, reports);
      await eventually(async () => expect(reports).toHaveLength(1), 10_000, 50);
      expect(reports[0]).toMatchObject({ outcome: 'new_items', articles: { published: 3 } });
      const first = await prisma.feed.findFirstOrThrow();
      expect(first).toMatchObject({
        etag: null,
        lastModified: null,
        bodyHash: expect.stringMatching(/^v1:/),
      });
      const asked = calls.knownUnchanged;
      expect(asked).toBe(3);

      await prisma.feed.updateMany({ data: { nextCheckAt: new Date(0) } });
      await eventually(async () => expect(reports).toHaveLength(2), 10_000, 50);
      // A full 200 came back (no validators to send), but nothing was parsed or looked up.
      expect(server.requests('/same/feed.xml')).toBe(2);
      expect(reports[1]).toMatchObject({ outcome: 'unchanged', articles: null });
      expect(calls.knownUnchanged).toBe(asked);
      expect(await prisma.feed.findFirstOrThrow()).toMatchObject({
        lastOutcome: 'not_modified',
        lastHttpStatus: 200,
        bodyHash: first.bodyHash,
        itemsSeen: 3n,
        consecutiveFailures: 0,
      });

      server.set('/same/feed.xml', { body: rss('same', 4), etag: false });
      await prisma.feed.updateMany({ data: { nextCheckAt: new Date(0) } });
      await eventually(async () => expect(reports).toHaveLength(3), 10_000, 50);
      await stopAll();
      expect(reports[2]).toMatchObject({ outcome: 'new_items', articles: { items: 4, published: 1 } });
      expect(calls.knownUnchanged).toBe(asked + 4);
      const changed = await prisma.feed.findFirstOrThrow();
      expect(changed.bodyHash).toMatch(/^v1:/);
      expect(changed.bodyHash).not.toBe(first.bodyHash);
      expect(events.filter((e) => e.type === 'ArticleIngested')).toHaveLength(4);
    });

    it('parses it again when an item of it could not be published the first time', async () => {
      server.set('/retry/feed.xml', { body: rss('retry', 3), etag: false });
      await registry.seed([{ url: server.url('/retry/feed.xml') }], 'config', 600);
      // Story 1's record keeps "changing under another replica": it fails, the others go out.
      let racing = true;
      const store: SeenStore = {
        knownUnchanged: (...args) => seen.knownUnchanged(...args),
        get: (id) => seen.get(id),
        put: async (id, next, previous) => {
          const story1 = events.some(
            (e) =>
              e.type === 'ArticleIngested' &&
              (e.data as { articleId: string; title: string }).articleId === id &&
              (e.data as { title: string }).title === 'retry story 1',
          );
          if (racing && story1) return false;
          return seen.put(id, next, previous);
        },
      };
      const reports: PollReport[] = [];
      const poller = pollerWith('poller-retry', store, reports);
      await eventually(async () => expect(reports).toHaveLength(1), 10_000, 50);
      expect(reports[0]!.articles).toMatchObject({ published: 2, itemErrors: [expect.anything()] });
      // Not remembered as done: the same bytes must be parsed again, or story 1 is lost.
      expect(await prisma.feed.findFirstOrThrow()).toMatchObject({ bodyHash: null, etag: null });

      racing = false;
      await prisma.feed.updateMany({ data: { nextCheckAt: new Date(0) } });
      await eventually(async () => expect(reports).toHaveLength(2), 10_000, 50);
      await poller.stop();
      expect(reports[1]).toMatchObject({ outcome: 'new_items', articles: { published: 1, itemErrors: [] } });
      const titles = events
        .filter((e) => e.type === 'ArticleIngested')
        .map((e) => (e.data as { title: string }).title);
      expect(new Set(titles)).toEqual(new Set([0, 1, 2].map((i) => `retry story ${i}`)));
      expect((await prisma.feed.findFirstOrThrow()).bodyHash).toMatch(/^v1:/);
    });
  });

  describe('when a changed document repeats items byte for byte (KnownItems)', () => {
    /** Counts the items the parser was told it need not read. */
    class CountingPublisher extends ArticlePublisher {
      notRead = 0;
      override knownItemLookup(feedUrl: string) {
        const lookup = super.knownItemLookup(feedUrl);
        return (
          lookup &&
          ((key: string) => {
            const known = lookup(key);
            if (known) this.notRead++;
            return known;
          })
        );
      }
    }

    it('does not read them again, republishes the item that changed, and counts them all', async () => {
      server.set('/known/feed.xml', { body: rss('known', 3) });
      await registry.seed([{ url: server.url('/known/feed.xml') }], 'config', 600);
      const articles = new CountingPublisher({
        seen,
        publish: async (event) => {
          events.push(event);
          return { seq: events.length, duplicate: false };
        },
        knownItems: new KnownItems(),
      });
      const reports: PollReport[] = [];
      const poller = new FeedPoller(registry, articles, options('poller-known'), {
        logger: quiet,
        onPoll: (r) => reports.push(r),
      });
      pollers.push(poller);
      poller.start();
      await eventually(async () => expect(reports).toHaveLength(1), 10_000, 50);
      expect(reports[0]).toMatchObject({ articles: { published: 3 } });
      expect(articles.notRead).toBe(0);

      // Story 0 corrected, story 3 new, stories 1 and 2 the same bytes (a new ETag: a 200).
      server.set('/known/feed.xml', {
        body: rss('known', 4).replace('About known 0.', 'About known 0, corrected.'),
      });
      await prisma.feed.updateMany({ data: { nextCheckAt: new Date(0) } });
      await eventually(async () => expect(reports).toHaveLength(2), 10_000, 50);
      await stopAll();
      expect(articles.notRead).toBe(2);
      expect(reports[1]).toMatchObject({
        outcome: 'new_items',
        articles: { items: 4, published: 2, itemErrors: [] },
      });
      const ingested = events
        .filter((e) => e.type === 'ArticleIngested')
        .map((e) => e.data as { articleId: string; title: string; text: string });
      // Items of one document are published a few at a time: in no particular order.
      const titles = (list: typeof ingested) => list.map((d) => d.title).sort();
      expect(titles(ingested.slice(0, 3))).toEqual(['known story 0', 'known story 1', 'known story 2']);
      expect(titles(ingested.slice(3))).toEqual(['known story 0', 'known story 3']);
      const original = ingested.slice(0, 3).find((d) => d.title === 'known story 0')!;
      const revised = ingested.slice(3).find((d) => d.title === 'known story 0')!;
      expect(revised).toMatchObject({ articleId: original.articleId, text: 'About known 0, corrected.' });
      // The items not read count as items.
      expect(await prisma.feed.findFirstOrThrow()).toMatchObject({
        lastItemCount: 4,
        itemsSeen: 5n,
        lastItemAt: new Date('2026-11-01T13:00:00Z'),
      });
    });
  });

  describe('when the KV seen-state store fails in the middle of a document', () => {
    it('records the feed as failed without validators, and the next poll publishes every item', async () => {
      server.set('/kv/feed.xml', { body: rss('kvdown', 5) });
      await registry.seed([{ url: server.url('/kv/feed.xml') }], 'config', 600);
      // The real KV store, with an outage: after two reads every call fails until it is back.
      let kvDown = true;
      let reads = 0;
      const flaky: SeenStore = {
        knownUnchanged: (...args) => seen.knownUnchanged(...args),
        get: async (id) => {
          if (kvDown && reads++ >= 2) throw new Error('TIMEOUT');
          return seen.get(id);
        },
        put: async (id, next, previous) => {
          if (kvDown && reads > 2) throw new Error('TIMEOUT');
          return seen.put(id, next, previous);
        },
      };
      const reports: PollReport[] = [];
      const poller = new FeedPoller(
        registry,
        new ArticlePublisher({
          seen: flaky,
          publish: async (event) => {
            events.push(event);
            return { seq: events.length, duplicate: false };
          },
        }),
        options('poller-kv'),
        { logger: quiet, onPoll: (r) => reports.push(r) },
      );
      pollers.push(poller);
      poller.start();
      await eventually(async () => expect(reports).toHaveLength(1), 10_000, 50);
      expect(reports[0]).toMatchObject({ outcome: 'error', articles: null });
      const failed = await prisma.feed.findFirstOrThrow();
      expect(failed).toMatchObject({
        lastOutcome: 'error',
        lastErrorCode: 'seen_state_failed',
        etag: null,
        lastModified: null,
      });

      kvDown = false;
      await prisma.feed.updateMany({ data: { nextCheckAt: new Date(0) } });
      await eventually(async () => expect(reports).toHaveLength(2), 10_000, 50);
      await stopAll();
      // A full 200, not a 304: no validators were sent, and every item is out.
      expect(server.lastHeaders('/kv/feed.xml')?.['if-none-match']).toBeUndefined();
      expect(reports[1]).toMatchObject({ outcome: 'new_items' });
      const titles = new Set(
        events.filter((e) => e.type === 'ArticleIngested').map((e) => (e.data as { title: string }).title),
      );
      expect(titles).toEqual(new Set([0, 1, 2, 3, 4].map((i) => `kvdown story ${i}`)));
      expect(await prisma.feed.findFirstOrThrow()).toMatchObject({
        lastOutcome: 'success',
        etag: expect.any(String),
      });
    });
  });

  describe('given a poller with no hooks but a logger (as the app runs it)', () => {
    it('still records every outcome', async () => {
      server.set('/plain/feed.xml', { body: rss('plain', 1) });
      await registry.seed([{ url: server.url('/plain/feed.xml') }], 'config', 600);
      const articles = new ArticlePublisher({ seen, publish: async () => ({ seq: 1, duplicate: false }) });
      const poller = new FeedPoller(registry, articles, options('poller-plain'), { logger: quiet });
      pollers.push(poller);
      poller.start();
      await eventually(
        async () =>
          expect(await prisma.feed.findFirstOrThrow()).toMatchObject({
            lastOutcome: 'success',
            leasedBy: null,
          }),
        10_000,
        50,
      );
    });
  });

  describe('when a poller stops with claims it has not started', () => {
    it('gives them back for another replica', async () => {
      for (let i = 0; i < 6; i++)
        server.set(`/slow/${i}.xml`, (_req, res) =>
          setTimeout(() => res.writeHead(200).end(rss(`slow${i}`, 1)), 300),
        );
      await registry.seed(
        Array.from({ length: 6 }, (_, i) => ({ url: server.url(`/slow/${i}.xml`) })),
        'config',
        600,
      );
      const reports: PollReport[] = [];
      // One host, one at a time: five claims wait in the queue.
      const poller = new FeedPoller(
        registry,
        new ArticlePublisher({ seen, publish: async () => ({ seq: 1, duplicate: false }) }),
        { ...options('poller-stop'), hostConcurrency: 1 },
        { logger: quiet, onPoll: (r) => reports.push(r) },
      );
      poller.start();
      await eventually(
        async () => expect(await prisma.feed.count({ where: { leasedBy: 'poller-stop' } })).toBe(6),
        10_000,
        20,
      );
      await poller.stop();
      const leased = await prisma.feed.count({ where: { leasedBy: { not: null } } });
      const due = await prisma.feed.count({ where: { nextCheckAt: { lte: new Date() } } });
      expect(leased).toBe(0);
      expect(due).toBe(6 - reports.length);
    });
  });
});
