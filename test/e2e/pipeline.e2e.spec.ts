/**
 * The whole pipeline, as processes (libs/testing's startPipeline): a local HTTP server serves a
 * feed with the seed article and unrelated real articles; the four compiled apps run against
 * the real nats-server and Postgres; the assertions go through the HTTP API and the tables.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { Client } from 'pg';
import { topology } from '@diplowatch/contracts';
import {
  type Pipeline,
  type TestDatabase,
  createTestDatabase,
  devSetFile,
  eventually,
  startPipeline,
} from '@diplowatch/testing';
import { stopApp } from '../../scripts/lib/app-processes';
import { readDevSet, rssFromItems } from '../../scripts/lib/demo-feeds';

jest.setTimeout(180_000);

async function tableRows(client: Client) {
  const query = async (sql: string) => (await client.query(sql)).rows as unknown[];
  return {
    articles: await query('SELECT * FROM articles ORDER BY id'),
    diplomaticEvents: await query('SELECT * FROM diplomatic_events ORDER BY id'),
    sources: await query('SELECT * FROM diplomatic_event_sources ORDER BY diplomatic_event_id, article_id'),
  };
}

async function counts(client: Client) {
  const { rows } = await client.query<{ articles: string; events: string; sources: string }>(
    `SELECT (SELECT count(*) FROM articles) AS articles,
            (SELECT count(*) FROM diplomatic_events) AS events,
            (SELECT count(*) FROM diplomatic_event_sources) AS sources`,
  );
  return rows[0];
}

describe('the pipeline, end to end (real apps, NATS, Postgres)', () => {
  let pipeline: Pipeline<'read'>;
  let db: Client;
  let seedUrl: string;
  const feedRequests = () => pipeline.feeds!.requests('/feed.xml');

  const get = async (pathAndQuery: string, key: string | null = pipeline.keys.read) => {
    const response = await fetch(`${pipeline.apiUrl}${pathAndQuery}`, {
      headers: key ? { authorization: `Bearer ${key}` } : {},
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  beforeAll(async () => {
    const devSet = readDevSet(devSetFile) as Array<{
      id: string;
      title: string;
      text: string;
      published: string | null;
      label: { relevant: boolean };
    }>;
    const seed = devSet.find((item) => item.id === 'seed-001')!;
    const unrelated = devSet.filter((item) => !item.label.relevant).slice(0, 5);
    expect(unrelated).toHaveLength(5);
    const feed = rssFromItems('e2e feed', [seed, ...unrelated], 'https://news.example.org');
    seedUrl = `https://news.example.org/articles/${seed.id}`;
    pipeline = await startPipeline({
      name: 'e2e',
      // No ETag: every poll gets the whole feed again, so re-polling exercises de-duplication.
      feeds: { '/feed.xml': { body: feed, etag: false } },
      apiKeys: { read: ['read'] },
      apps: ['ingester', 'classifier', 'projector', 'api'],
    });
    db = pipeline.db;
  });

  afterAll(() => pipeline?.stop());

  it('turns the seed article into exactly one visit by Sergei Shoigu to IDN and MYS', async () => {
    await pipeline.withLogs(async () => {
      const events = await eventually(
        async () => {
          const { status, body } = await get('/events?country=IDN');
          expect(status).toBe(200);
          expect(body.items).toHaveLength(1);
          const row = await counts(db);
          expect(row?.articles).toBe('6');
          const classified = await db.query('SELECT count(*) FROM articles WHERE relevant IS NOT NULL');
          expect(classified.rows[0].count).toBe('6');
          return body.items as Array<Record<string, any>>;
        },
        90_000,
        500,
      );
      const [event] = events;
      expect(event!.type).toBe('visit');
      expect(event!.countries).toEqual(expect.arrayContaining(['RUS', 'IDN', 'MYS']));
      expect(event!.actors.map((actor: { name: string }) => actor.name)).toContain('Sergei Shoigu');

      const detail = await get(`/events/${encodeURIComponent(event!.id)}`);
      expect(detail.status).toBe(200);
      expect(detail.body.sources).toHaveLength(1);
      expect(detail.body.sources[0].url).toBe(seedUrl);
      expect(detail.body.sources[0].evidence.length).toBeGreaterThan(0);

      const article = await get(`/articles/${encodeURIComponent(detail.body.sources[0].articleId)}`);
      expect(article.status).toBe(200);
      expect(article.body).toMatchObject({ relevant: true, url: seedUrl, diplomaticEventIds: [event!.id] });
    }, Infinity);
  });

  it('tags none of the unrelated articles', async () => {
    const all = await get('/events?limit=200');
    expect(all.body.items).toHaveLength(1);
    const { rows } = await db.query<{ url: string }>(
      'SELECT url FROM articles WHERE relevant = false ORDER BY url',
    );
    expect(rows).toHaveLength(5);
    expect(rows.map((row) => row.url)).not.toContain(seedUrl);
  });

  it('publishes nothing new when the same feed is polled again', async () => {
    const stream = topology(pipeline.namespace).eventStream;
    const jsm = await jetstreamManager(pipeline.nc);
    const messagesBefore = (await jsm.streams.info(stream)).state.messages;
    const before = await counts(db);
    const requestsBefore = feedRequests();
    await eventually(() => expect(feedRequests()).toBeGreaterThanOrEqual(requestsBefore + 3), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await jsm.streams.info(stream)).state.messages).toBe(messagesBefore);
    expect(await counts(db)).toEqual(before);
  });

  it('leaves the rows unchanged when the projector restarts, even after kill -9', async () => {
    const before = await tableRows(db);
    await stopApp(pipeline.apps.get('projector')!);
    await pipeline.launch('projector');
    const projector = pipeline.apps.get('projector')!;
    projector.child.kill('SIGKILL');
    await projector.exited;
    await pipeline.launch('projector');
    const jsm = await jetstreamManager(pipeline.nc);
    await eventually(async () => {
      const info = await jsm.consumers.info(topology(pipeline.namespace).eventStream, 'projector');
      expect(info.num_pending + info.num_ack_pending).toBe(0);
    });
    expect(await tableRows(db)).toEqual(before);
  });

  it('answers bad query parameters with a 400 that names the parameter', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/events?country=Indonesia', /"country"/],
      ['/events?type=coup', /"type"/],
      ['/events?from=2025-02-30', /"from"/],
      ['/events?from=2025-03-01&to=2025-02-01', /"from"/],
      ['/events?limit=0', /"limit"/],
      ['/events?cursor=garbage', /"cursor"/],
      ['/events?colour=red', /unknown parameter.*colour/],
    ];
    for (const [url, message] of cases) {
      const { status, body } = await get(url);
      expect({ url, status }).toEqual({ url, status: 400 });
      expect(body.message).toMatch(message);
    }
    expect((await get('/events/does-not-exist')).status).toBe(404);
  });

  it('refuses reads without a valid API key, and keeps health public', async () => {
    expect((await get('/events', null)).status).toBe(401);
    expect((await get('/events', `dw_000000000000_${'a'.repeat(43)}`)).status).toBe(401);
    expect((await get('/health/ready', null)).status).toBe(200);
  });

  describe('rebuild', () => {
    let rebuilt: TestDatabase;
    afterAll(async () => {
      const rebuild = pipeline.apps.get('rebuild');
      if (rebuild) await stopApp(rebuild);
      await rebuilt?.drop();
    });

    it('replaying the stream from the start into empty tables gives the same rows', async () => {
      rebuilt = await createTestDatabase();
      await pipeline.launch('projector', {
        label: 'rebuild',
        env: { DATABASE_URL: rebuilt.url, PROJECTOR_DURABLE: `rebuild_${Date.now()}` },
        wait: false,
      });
      const live = await tableRows(db);
      const copy = new Client({ connectionString: rebuilt.url });
      await copy.connect();
      try {
        const { rows } = await db.query<{ last_sequence: string }>(
          'SELECT last_sequence FROM projection_checkpoints',
        );
        await eventually(async () => {
          const done = await copy.query<{ last_sequence: string }>(
            'SELECT last_sequence FROM projection_checkpoints',
          );
          expect(done.rows).toEqual(rows);
        }, 60_000);
        expect(await tableRows(copy)).toEqual(live);
        expect(live.articles).toHaveLength(6);
      } finally {
        await copy.end();
      }
    });
  });
});
