import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import { type NewsEvent, type Topology, createEvent, topology } from '@diplowatch/contracts';
import { type EventConsumer, EventPublisher, ensureStreams } from '@diplowatch/messaging';
import { connectTestNats, deleteNamespace, eventually, testNamespace } from '@diplowatch/testing';
import { createTestDatabase, type TestDatabase } from '../../../../libs/testing/src/database';
import { startReadModelProjection } from '../projection-runner';
import { ReadModelDatabase } from '../read-model.database';
import { ReadModelWriter } from '../read-model.writer';
import { READ_MODEL_TABLES } from './read-model-schema';
import { rebuildReadModels } from './rebuild-read-models';

jest.setTimeout(120_000);

const quietLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** An article, its classification and, for every third one, a detection (acts reported twice). */
function articleEvents(n: number): NewsEvent[] {
  const id = `art-${n}`;
  const events: NewsEvent[] = [
    createEvent('ArticleIngested', {
      id: `ai-${id}`,
      occurredAt: new Date(Date.UTC(2025, 0, 1 + n)),
      data: {
        articleId: id,
        contentHash: 'h1',
        feedUrl: 'https://example.org/feed.xml',
        url: `https://example.org/${id}`,
        canonicalUrl: `https://example.org/${id}`,
        guid: null,
        title: `Article ${n}`,
        text: `Text of article ${n} about Russia and Indonesia.`,
        rawContent: null,
        author: null,
        language: 'en',
        publishedAt: new Date(Date.UTC(2025, 0, 1 + n)).toISOString(),
        fetchedAt: new Date(Date.UTC(2025, 0, 1 + n, 1)).toISOString(),
      },
    }),
  ];
  const relevant = n % 3 === 0;
  events.push(
    createEvent('ArticleClassified', {
      id: `ac-${id}`,
      occurredAt: new Date(Date.UTC(2025, 0, 1 + n, 2)),
      data: {
        articleId: id,
        contentHash: 'h1',
        watch: 'russia-sea',
        rulesVersion: '1',
        relevant,
        relevance: relevant ? 0.9 : 0.1,
        eventTypes: relevant ? ['visit'] : [],
        countries: [],
        actors: [],
        diplomaticEventIds: [],
        context: [],
        evidence: [],
        reasons: [],
      },
    }),
  );
  if (relevant) {
    const act = Math.floor(n / 6);
    events.push(
      createEvent('DiplomaticEventDetected', {
        id: `de-${id}`,
        occurredAt: new Date(Date.UTC(2025, 0, 1 + n, 3)),
        data: {
          diplomaticEventId: `key-${n}`,
          articleId: id,
          watch: 'russia-sea',
          rulesVersion: '1',
          type: 'visit',
          countries: n % 2 ? ['RUS', 'IDN'] : ['RUS', 'IDN', 'MYS'],
          actors: [{ name: 'Sergei Shoigu', office: null, country: 'RUS', role: 'actor' }],
          confidence: 0.5 + (n % 5) / 10,
          summary: `visit ${act}`,
          startDate: new Date(Date.UTC(2025, 0, 1 + act * 6)).toISOString().slice(0, 10),
          endDate: null,
          place: null,
          topics: ['security'],
          evidence: [{ sentence: `Evidence ${n}.`, rules: ['visit'] }],
          context: [],
          publishedAt: new Date(Date.UTC(2025, 0, 1 + n)).toISOString(),
        },
      }),
    );
  }
  return events;
}

const logOf = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => articleEvents(from + i)).flat();

async function readModels(client: pg.Client, schema = 'public') {
  const rows: Record<string, unknown[]> = {};
  for (const table of READ_MODEL_TABLES) {
    if (table === 'projection_checkpoints') continue;
    // Every column but the generated search vector (tsvector values compare fine, but print badly).
    const result = await client.query(`SELECT * FROM ${schema}.${table}`);
    rows[table] = result.rows.map((row: Record<string, unknown>) => JSON.stringify(row)).sort();
  }
  return rows;
}

describe('npm run rebuild (real Postgres and nats-server)', () => {
  const namespace = testNamespace('rebuild');
  let t: Topology;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  let live: TestDatabase;
  let reference: TestDatabase;
  let client: pg.Client;
  const databases: ReadModelDatabase[] = [];
  const consumers: EventConsumer[] = [];

  const project = async (databaseUrl: string, durable: string) => {
    const database = new ReadModelDatabase({ databaseUrl, poolSize: 2 });
    databases.push(database);
    consumers.push(
      await startReadModelProjection({
        js,
        jsm,
        topology: t,
        durable,
        writer: new ReadModelWriter(database),
        logger: quietLogger,
      }),
    );
  };
  const drained = (durable: string) =>
    eventually(async () => {
      const info = await jsm.consumers.info(t.eventStream, durable);
      expect(info.num_pending + info.num_ack_pending).toBe(0);
    }, 60_000);

  beforeAll(async () => {
    t = topology(namespace);
    nc = await connectTestNats();
    js = jetstream(nc);
    jsm = await jetstreamManager(nc);
    await ensureStreams(jsm, t, { duplicateWindowSeconds: 120, maxAgeDays: 0 });
    [live, reference] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    client = new pg.Client({ connectionString: live.url });
    await client.connect();
    // A view of someone else's (a dashboard's, say) over a read model.
    await client.query('CREATE SCHEMA reporting');
    await client.query(
      'CREATE VIEW reporting.visits AS SELECT id, source_count FROM public.diplomatic_events',
    );
  });

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    await Promise.all(databases.map((d) => d.onApplicationShutdown()));
    await client?.end();
    await Promise.all([live?.drop(), reference?.drop()]);
    await deleteNamespace(nc, namespace);
    await nc.drain();
  });

  it('replays the log into fresh tables while the live projector and readers go on, then switches over', async () => {
    const publisher = new EventPublisher(js, t);
    await publisher.publishAll(logOf(0, 120), 32);
    await project(live.url, 'projector');
    await drained('projector');

    // Readers during the whole rebuild: none may fail or see an empty table.
    let reading = true;
    const readerErrors: string[] = [];
    const reader = new pg.Client({ connectionString: live.url });
    await reader.connect();
    const readerLoop = (async () => {
      while (reading) {
        try {
          const { rows } = await reader.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM reporting.visits',
          );
          if (rows[0]!.n === 0) readerErrors.push('empty');
        } catch (error) {
          readerErrors.push((error as Error).message);
        }
      }
    })();

    // The log grows while the rebuild runs.
    const rebuilding = rebuildReadModels({
      databaseUrl: live.url,
      js,
      jsm,
      topology: t,
      logger: quietLogger,
      keepOld: true,
      pollMs: 50,
    });
    await publisher.publishAll(logOf(120, 150), 8);
    const report = await rebuilding;
    await publisher.publishAll(logOf(150, 160), 8);
    await drained('projector');
    reading = false;
    await readerLoop;
    await reader.end();

    expect(readerErrors).toEqual([]);
    expect(report.rebuiltCheckpoint).toBeGreaterThanOrEqual(report.liveCheckpoint);
    // Ours and the dashboards' (analytics.*, from the migrations).
    expect(report.recreatedViews).toEqual(
      expect.arrayContaining(['reporting.visits', 'analytics.diplomatic_events', 'analytics.articles']),
    );
    // The rebuild's consumer and schema are gone; the replaced tables are kept as asked.
    await expect(jsm.consumers.info(t.eventStream, report.durable)).rejects.toThrow();
    const schemas = await client.query<{ nspname: string }>(
      `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'rm\\_%' ORDER BY 1`,
    );
    expect(schemas.rows.map((r) => r.nspname)).toEqual([report.oldSchema]);

    // The same rows as a projection of the whole log from scratch into another database.
    await project(reference.url, 'reference');
    await drained('reference');
    const referenceClient = new pg.Client({ connectionString: reference.url });
    await referenceClient.connect();
    try {
      const expected = await readModels(referenceClient);
      expect(expected.articles).toHaveLength(160);
      expect(await readModels(client)).toEqual(expected);
    } finally {
      await referenceClient.end();
    }
    // The views read the new tables.
    const count = async (relation: string) =>
      (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${relation}`)).rows[0]!.n;
    expect(await count('reporting.visits')).toBe(await count('public.diplomatic_events'));
    expect(await count('analytics.diplomatic_events')).toBe(await count('public.diplomatic_events'));
    expect(await count('analytics.articles')).toBe(160);
    const old = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${report.oldSchema}.articles`,
    );
    expect(old.rows[0]!.n).toBeLessThan(160);
  });

  it('leaves the database as the migrations made it (same tables, indexes and constraints in public)', async () => {
    const fresh = await createTestDatabase();
    const freshClient = new pg.Client({ connectionString: fresh.url });
    await freshClient.connect();
    try {
      const shape = async (c: pg.Client) => {
        const indexes = await c.query(
          `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2`,
        );
        const constraints = await c.query(
          `SELECT conrelid::regclass::text AS t, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
            WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2`,
        );
        const columns = await c.query(
          `SELECT table_name, column_name, data_type, is_nullable, column_default, is_generated, generation_expression
             FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, ordinal_position`,
        );
        return { indexes: indexes.rows, constraints: constraints.rows, columns: columns.rows };
      };
      expect(await shape(client)).toEqual(await shape(freshClient));
    } finally {
      await freshClient.end();
      await fresh.drop();
    }
  });
});
