/**
 * `npm run rebuild` as a process (dist/scripts/rebuild.js) beside a running projector app:
 * readers keep reading throughout, and afterwards `public` holds tables equal, row for row, to
 * the ones it replaced (kept with --keep-old), while the live projector goes on writing into
 * the new ones.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Client } from 'pg';
import { type NewsEvent, createEvent, topology } from '@diplowatch/contracts';
import { EventPublisher, ensureStreams } from '@diplowatch/messaging';
import { type Pipeline, eventually, startPipeline } from '@diplowatch/testing';
import { repoRoot } from '../../scripts/lib/app-processes';

jest.setTimeout(180_000);

const rebuildScript = path.join(repoRoot, 'dist', 'scripts', 'rebuild.js');
const TABLES = [
  'articles',
  'article_feeds',
  'diplomatic_events',
  'event_search_documents',
  'diplomatic_event_sources',
  'diplomatic_event_versions',
];

function articleEvents(n: number): NewsEvent[] {
  const id = `rb-${n}`;
  const day = new Date(Date.UTC(2025, 1, 1 + (n % 20)));
  const events: NewsEvent[] = [
    createEvent('ArticleIngested', {
      id: `ai-${id}`,
      occurredAt: day,
      data: {
        articleId: id,
        contentHash: 'h1',
        feedUrl: `https://outlet-${n % 3}.example.org/feed.xml`,
        url: `https://outlet-${n % 3}.example.org/${id}`,
        canonicalUrl: `https://outlet-${n % 3}.example.org/${id}`,
        guid: null,
        title: `Report ${n} on Russia and Vietnam`,
        text: `Report ${n}: Russian and Vietnamese officials met to discuss defence cooperation.`,
        rawContent: null,
        author: null,
        language: 'en',
        publishedAt: day.toISOString(),
        fetchedAt: day.toISOString(),
      },
    }),
  ];
  if (n % 2 === 0) {
    events.push(
      createEvent('DiplomaticEventDetected', {
        id: `de-${id}`,
        occurredAt: day,
        data: {
          diplomaticEventId: `talks-${n}`,
          articleId: id,
          watch: 'russia-sea',
          rulesVersion: '1',
          type: 'meeting_talks',
          countries: ['RUS', 'VNM'],
          actors: [],
          confidence: 0.7,
          summary: `Talks ${n}`,
          startDate: null,
          endDate: null,
          place: null,
          topics: ['defense'],
          evidence: [{ sentence: `Report ${n}.`, rules: ['talks'] }],
          context: [],
          publishedAt: day.toISOString(),
        },
      }),
    );
  }
  return events;
}

async function rows(client: Client, schema: string) {
  const result: Record<string, string[]> = {};
  for (const table of TABLES) {
    const { rows: found } = await client.query(`SELECT * FROM ${schema}.${table}`);
    result[table] = found.map((row: unknown) => JSON.stringify(row)).sort();
  }
  return result;
}

function runRebuild(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [rebuildScript, '--keep-old'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('npm run rebuild, as a process beside the projector app', () => {
  let pipeline: Pipeline;

  beforeAll(async () => {
    if (!existsSync(rebuildScript)) throw new Error(`${rebuildScript} missing: run "npm run build" first`);
    pipeline = await startPipeline({ name: 'rbe2e', database: 'own' });
  });

  afterAll(() => pipeline?.stop());

  it('switches the readers over to rebuilt tables equal to the live ones', async () => {
    const { db, nc, namespace, env, logs } = pipeline;
    const t = topology(namespace);
    const jsm = await jetstreamManager(nc);
    await ensureStreams(jsm, t, { duplicateWindowSeconds: 120, maxAgeDays: 0 });
    const publisher = new EventPublisher(jetstream(nc), t);
    await publisher.publishAll(Array.from({ length: 60 }, (_, n) => articleEvents(n)).flat(), 16);
    await pipeline.launch('projector');
    await eventually(async () => {
      const info = await jsm.consumers.info(t.eventStream, 'projector');
      expect(info.num_pending + info.num_ack_pending).toBe(0);
      expect(info.delivered.stream_seq).toBeGreaterThan(0);
    }, 60_000);

    let reading = true;
    const readerErrors: string[] = [];
    const reader = new Client({ connectionString: pipeline.databaseUrl });
    await reader.connect();
    const readerLoop = (async () => {
      while (reading) {
        try {
          const { rows: found } = await reader.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM analytics.diplomatic_events',
          );
          if (found[0]!.n === 0) readerErrors.push('no events');
        } catch (error) {
          readerErrors.push((error as Error).message);
        }
      }
    })();
    const { code, output } = await runRebuild(env);
    reading = false;
    await readerLoop;
    await reader.end();
    try {
      expect(code).toBe(0);
      expect(readerErrors).toEqual([]);
      const report = JSON.parse(output.trim().split('\n').pop()!) as {
        oldSchema: string;
        rebuiltCheckpoint: number;
      };
      expect(report.rebuiltCheckpoint).toBeGreaterThan(0);
      expect(await rows(db, 'public')).toEqual(await rows(db, report.oldSchema));

      // The live projector writes into the new tables.
      await publisher.publishAll(articleEvents(60), 1);
      await eventually(async () => {
        const { rows: found } = await db.query(`SELECT 1 FROM public.articles WHERE id = 'rb-60'`);
        expect(found).toHaveLength(1);
      }, 30_000);
    } catch (error) {
      process.stderr.write(`--- rebuild output ---\n${output}\n--- app logs ---\n${logs.join('\n')}\n`);
      throw error;
    }
  });
});
