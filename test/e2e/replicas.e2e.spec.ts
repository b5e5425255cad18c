/**
 * Two replicas of the classifier and of the projector against one NATS and one Postgres share
 * the work through their durable consumers: every article ends up in Postgres exactly once,
 * every classification is published once, and a replica stopped with SIGTERM mid-flow exits
 * cleanly within its bound while the other one carries on.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { topology } from '@diplowatch/contracts';
import { type Pipeline, devSetFile, eventually, startPipeline } from '@diplowatch/testing';
import { readDevSet, rssFromItems } from '../../scripts/lib/demo-feeds';

jest.setTimeout(240_000);

const FEEDS = 8;
const ITEMS_PER_FEED = 40;

describe('replicas share the work (2 classifiers, 2 projectors)', () => {
  let pipeline: Pipeline;

  beforeAll(async () => {
    // Varied articles from the development texts: each feed gets its own slice, titles made unique.
    const dev = readDevSet(devSetFile);
    const routes: Record<string, { body: string; contentType: string }> = {};
    for (let f = 0; f < FEEDS; f++) {
      const items = Array.from({ length: ITEMS_PER_FEED }, (_, i) => {
        const source = dev[(f * ITEMS_PER_FEED + i) % dev.length]!;
        return { ...source, id: `f${f}-i${i}`, title: `${source.title} (${f}.${i})` };
      });
      routes[`/feed-${f}.xml`] = {
        body: rssFromItems(`feed ${f}`, items, `https://outlet-${f}.example.org`),
        contentType: 'application/rss+xml',
      };
    }
    pipeline = await startPipeline({
      name: 'rep',
      database: 'own',
      feeds: routes,
      env: { POLL_INTERVAL_SECONDS: '2' },
      apps: [
        { app: 'classifier', label: 'classifier-1' },
        { app: 'classifier', label: 'classifier-2' },
        { app: 'projector', label: 'projector-1' },
        { app: 'projector', label: 'projector-2' },
        'ingester',
      ],
    });
  });

  afterAll(() => pipeline?.stop());

  it('projects every article exactly once and classifies each once, surviving a SIGTERM of one replica', async () => {
    const total = FEEDS * ITEMS_PER_FEED;
    const { db, nc, namespace } = pipeline;
    try {
      // Stop one classifier as soon as work is flowing: it must drain and exit by itself.
      await eventually(
        async () => {
          const { rows } = await db.query<{ n: string }>(
            'SELECT count(*) AS n FROM articles WHERE relevant IS NOT NULL',
          );
          expect(Number(rows[0]!.n)).toBeGreaterThan(0);
        },
        60_000,
        100,
      );
      const leaving = pipeline.apps.get('classifier-1')!;
      const stoppedAt = Date.now();
      leaving.child.kill('SIGTERM');
      const code = await leaving.exited;
      expect(code).toBe(0);
      expect(Date.now() - stoppedAt).toBeLessThan(30_000);

      await eventually(
        async () => {
          const { rows } = await db.query<{ n: string; classified: string; ids: string }>(
            `SELECT count(*) AS n, count(*) FILTER (WHERE relevant IS NOT NULL) AS classified, count(DISTINCT url) AS ids FROM articles`,
          );
          expect(rows[0]).toEqual({ n: String(total), classified: String(total), ids: String(total) });
        },
        150_000,
        500,
      );

      const jsm = await jetstreamManager(nc);
      const t = topology(namespace);
      const info = await jsm.streams.info(t.eventStream, { subjects_filter: `${namespace}.events.>` });
      const perSubject = info.state.subjects ?? {};
      expect(perSubject[t.subjectFor('ArticleIngested')]).toBe(total);
      expect(perSubject[t.subjectFor('ArticleClassified')]).toBe(total);
      expect((await jsm.streams.info(t.deadLetterStream)).state.messages).toBe(0);
      const classifier = await jsm.consumers.info(t.eventStream, 'classifier');
      expect(classifier.num_pending + classifier.num_ack_pending).toBe(0);
    } catch (error) {
      pipeline.printLogs(80);
      throw error;
    }
  });
});
