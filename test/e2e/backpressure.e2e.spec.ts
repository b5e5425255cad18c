/**
 * Back-pressure: the log absorbs a slow projector, and a full log refuses rather than drops.
 *
 * The event log is created with a small message limit before the apps start. While it is full,
 * the ingester's and the classifier's publishes are refused (discard: new), so they fail and
 * retry; nothing already in the log is dropped to make room. Then the projector is paused
 * (SIGSTOP) and the limit lifted: the ingester and the classifier finish every article into the
 * log while no row is written. Once the projector runs again, every article is in Postgres
 * exactly once, classified, and nothing was dead-lettered.
 */
import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { Client } from 'pg';
import { topology } from '@diplowatch/contracts';
import { ensureStreams } from '@diplowatch/messaging';
import { type FeedServer, type Pipeline, devSetFile, eventually, startPipeline } from '@diplowatch/testing';
import { readDevSet, rssFromItems } from '../../scripts/lib/demo-feeds';

jest.setTimeout(300_000);

const ARTICLES = 240;
const PER_FEED = 40;
/** Far fewer than the run's events (an ArticleIngested and an ArticleClassified per article, and more). */
const LOG_LIMIT = 100;

describe('back-pressure (ingester, classifier, projector processes)', () => {
  let pipeline: Pipeline;
  let t: ReturnType<typeof topology>;
  let jsm: JetStreamManager;
  let db: Client;
  let feeds: FeedServer;

  const consumerPending = async (durable: string) => {
    const info = await jsm.consumers.info(t.eventStream, durable);
    return info.num_pending + info.num_ack_pending;
  };
  const countOf = async (type: 'ArticleIngested' | 'ArticleClassified') => {
    const subject = t.subjectFor(type);
    const info = await jsm.streams.info(t.eventStream, { subjects_filter: subject });
    return info.state.subjects?.[subject] ?? 0;
  };
  const articleRows = async () => {
    const { rows } = await db.query<{ n: string; distinct: string; classified: string }>(
      `SELECT count(*) AS n, count(DISTINCT id) AS distinct, count(classified_at) AS classified
         FROM articles WHERE feed_url LIKE $1`,
      [`${feeds.origin}/%`],
    );
    return {
      n: Number(rows[0]!.n),
      distinct: Number(rows[0]!.distinct),
      classified: Number(rows[0]!.classified),
    };
  };

  beforeAll(async () => {
    const dev = readDevSet(devSetFile);
    const documents: Record<string, { body: string }> = {};
    for (let f = 0; f < ARTICLES / PER_FEED; f++) {
      const items = Array.from({ length: PER_FEED }, (_, i) => {
        const source = dev[(f * PER_FEED + i) % dev.length]!;
        return { ...source, id: `bp${f}-${i}`, title: `${source.title} [${f}-${i}]` };
      });
      documents[`/bp-${f}.xml`] = { body: rssFromItems(`bp ${f}`, items, `https://bp-${f}.example.org`) };
    }
    pipeline = await startPipeline({
      name: 'bp',
      feeds: documents,
      env: { POLL_TICK_MS: '200', POLL_MAX_BACKOFF_SECONDS: '2' },
      // The log exists before the apps, with a limit: the apps keep a limit they find.
      beforeApps: async ({ nc, namespace }) => {
        t = topology(namespace);
        jsm = await jetstreamManager(nc);
        await ensureStreams(jsm, t, { duplicateWindowSeconds: 120, maxAgeDays: 0, maxMessages: LOG_LIMIT });
      },
      apps: ['projector', 'classifier', 'ingester'],
    });
    db = pipeline.db;
    feeds = pipeline.feeds!;
  });

  afterAll(() => pipeline?.stop());

  it('refuses publishes at the limit without dropping, buffers while the projector stalls, then catches up exactly once', async () => {
    try {
      // 1. The log fills up to its limit and stays there: new events refused, none dropped.
      await eventually(
        async () => {
          const { state } = await jsm.streams.info(t.eventStream);
          expect(state.messages).toBe(LOG_LIMIT);
        },
        120_000,
        250,
      );
      await eventually(
        async () => {
          const { rows } = await db.query<{ n: string }>(
            `SELECT count(*) AS n FROM feeds WHERE url LIKE $1 AND last_error_code = 'publish_failed'`,
            [`${feeds.origin}/%`],
          );
          expect(Number(rows[0]!.n)).toBeGreaterThan(0);
        },
        30_000,
        250,
      );
      const full = await jsm.streams.info(t.eventStream);
      // discard: old would have moved first_seq on by now; discard: new keeps the first event.
      expect(full.state.first_seq).toBe(1);
      expect(full.state.messages).toBe(LOG_LIMIT);
      expect(full.config.discard).toBe('new');
      const ingestedWhileFull = await countOf('ArticleIngested');
      expect(ingestedWhileFull).toBeLessThan(ARTICLES);

      // 2. A stalled projector: pause it, lift the limit. Everything else finishes into the log.
      const projector = pipeline.apps.get('projector')!;
      projector.child.kill('SIGSTOP');
      const rowsWhenPaused = await articleRows();
      const config = (await jsm.streams.info(t.eventStream)).config;
      await jsm.streams.update(t.eventStream, { ...config, max_msgs: -1 });
      await eventually(
        async () => {
          expect(await countOf('ArticleIngested')).toBe(ARTICLES);
          expect(await countOf('ArticleClassified')).toBe(ARTICLES);
          expect(await consumerPending('classifier')).toBe(0);
        },
        180_000,
        500,
      );
      // The log holds the backlog; nothing reached Postgres meanwhile.
      expect(await articleRows()).toEqual(rowsWhenPaused);
      expect(await consumerPending('projector')).toBeGreaterThan(0);

      // 3. The projector runs again and catches up: every article exactly once, classified.
      projector.child.kill('SIGCONT');
      await eventually(
        async () => {
          expect(await articleRows()).toEqual({ n: ARTICLES, distinct: ARTICLES, classified: ARTICLES });
          expect(await consumerPending('projector')).toBe(0);
        },
        180_000,
        500,
      );
      const dlq = await jsm.streams.info(t.deadLetterStream);
      expect(dlq.state.messages).toBe(0);
      process.stdout.write(
        `${JSON.stringify({
          test: 'backpressure',
          articles: ARTICLES,
          logLimit: LOG_LIMIT,
          ingestedWhileFull,
          rowsWhenProjectorPaused: rowsWhenPaused.n,
          rowsAtEnd: ARTICLES,
          deadLetters: dlq.state.messages,
        })}\n`,
      );
    } catch (error) {
      pipeline.printLogs(80, 'app logs (last 80 lines)');
      throw error;
    }
  });
});
