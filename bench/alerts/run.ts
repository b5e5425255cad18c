// Alert latency, end to end: with every app running as its own process (ingester, classifier,
// projector, API, alerter) against a fresh database and a NATS namespace of its own, articles
// are published to the event log at `--rate` (50) per second for `--seconds` (60), as the
// ingester would publish them; 100 subscriptions (`--subscriptions`) made through the API,
// some of which match, push signed webhooks to a local receiver. It reports p50/p95/p99 of the
// time from publishing an article to its alert arriving at the receiver, and the alerts
// delivered against those expected (computed in-process with the same classifier and matching
// code). Goal: p99 under 1 s, none missing, none doubled after dropping repeats by alert id.
// Prints a report, then its figures as one JSON line (the last).
//
//   npm run bench:alerts [-- --seconds 60] [--rate 50] [--subscriptions 100] [--keep]
//
// BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres) names the server:
// the bench creates its own database there and drops it afterwards unless --keep. NATS_URL
// (default nats://127.0.0.1:4222): its streams are deleted afterwards.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import { z } from 'zod';
import { parseEnv } from '@diplowatch/config';
import { type ArticleIngestedV1, createEvent, topology } from '@diplowatch/contracts';
import {
  type AlertPayload,
  type AlertedEventState,
  type CreateSubscription,
  classificationEvents,
  createSubscriptionSchema,
  decideAlerts,
  evolveAlertedEvent,
  issueApiKey,
  loadDefaultWatch,
} from '@diplowatch/domain';
import { EventPublisher } from '@diplowatch/messaging';
import {
  applyMigrations,
  createDatabase,
  dropDatabase,
  projectPaths,
  withDatabaseName,
} from '../../libs/persistence/src/migrations';
import {
  type AppName,
  type RunningApp,
  appEntry,
  startApp,
  stopApp,
  waitForHttp,
} from '../../scripts/lib/app-processes';
import { startAlertReceiver } from './receiver';
import { freePort } from '../../scripts/lib/infrastructure';

const GOAL_P99_MS = 1000;

const arg = (name: string): string | undefined => {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const flag = (name: string) => process.argv.slice(2).includes(`--${name}`);
const log = (line: string) => process.stdout.write(`[bench:alerts] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const quantile = (sorted: number[], q: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

// Articles: Russia and one Southeast Asian country, in three kinds of act; without a date, so
// each is a diplomatic event of its own (the classifier's merge key falls back to the article).
// Two in five are unrelated news, which the classifier drops.
const SEA = [
  ['IDN', 'Indonesia', 'Indonesian', 'Jakarta'],
  ['MYS', 'Malaysia', 'Malaysian', 'Kuala Lumpur'],
  ['VNM', 'Vietnam', 'Vietnamese', 'Hanoi'],
  ['THA', 'Thailand', 'Thai', 'Bangkok'],
  ['LAO', 'Laos', 'Lao', 'Vientiane'],
  ['MMR', 'Myanmar', 'Myanmar', 'Naypyidaw'],
  ['KHM', 'Cambodia', 'Cambodian', 'Phnom Penh'],
  ['PHL', 'the Philippines', 'Philippine', 'Manila'],
  ['SGP', 'Singapore', 'Singaporean', 'Singapore'],
  ['BRN', 'Brunei', 'Bruneian', 'Bandar Seri Begawan'],
] as const;

function article(n: number): { title: string; text: string } {
  const [, country, adjective, capital] = SEA[n % SEA.length]!;
  switch (n % 5) {
    case 0:
      return {
        title: `Lavrov visits ${capital}`,
        text: `Russian Foreign Minister Sergei Lavrov arrived in ${capital} for talks with the ${adjective} foreign minister on trade and security cooperation between Russia and ${country}. (report ${n})`,
      };
    case 1:
      return {
        title: `Russia and ${country} sign defence deal`,
        text: `Russian Defence Minister Andrei Belousov and his ${adjective} counterpart signed an agreement on military-technical cooperation in ${capital}, deepening defence ties between Russia and ${country}. (report ${n})`,
      };
    case 2:
      return {
        title: `Russia, ${country} hold naval exercise`,
        text: `The Russian and ${adjective} navies held a joint naval exercise near ${capital}, the Russian Defence Ministry said. (report ${n})`,
      };
    default:
      return {
        title: `Local markets close higher (${n})`,
        text: `Shares in ${capital} closed higher on Tuesday as investors weighed quarterly earnings and the outlook for interest rates. Trading volume was light. (report ${n})`,
      };
  }
}

/** 100 subscriptions: one per country and one per act type match; the rest never do. */
function subscriptionInputs(count: number, receiverUrl: (path: string) => string): CreateSubscription[] {
  const matching: Array<Record<string, unknown>> = [
    ...SEA.map(([code]) => ({ filter: { countries: ['RUS', code] } })),
    { filter: { types: ['visit'], actors: ['Lavrov'] } },
    { filter: { types: ['agreement'], keywords: ['military-technical cooperation'] } },
    { filter: { types: ['military_exercise'], minConfidence: 0.5 } },
  ];
  return Array.from({ length: count }, (_, i) => {
    const shape =
      i < matching.length
        ? matching[i]!
        : i % 3 === 0
          ? { filter: { countries: ['RUS', 'USA'] } }
          : i % 3 === 1
            ? { filter: { keywords: [`no such words ${i}`] } }
            : { filter: { actors: [`Nobody Nowhere ${i}`], types: ['arms_trade'] } };
    return createSubscriptionSchema.parse({
      name: `bench ${i}`,
      channels: [{ type: 'webhook', url: receiverUrl(`/sub/${i}`) }],
      ...shape,
    });
  });
}

async function main(): Promise<void> {
  const seconds = Number(arg('seconds') ?? 60);
  const rate = Number(arg('rate') ?? 50);
  const subscriptionCount = Number(arg('subscriptions') ?? 100);
  if (!(seconds > 0) || !(rate > 0) || !(subscriptionCount >= 13))
    throw new Error('usage: --seconds N --rate N --subscriptions N (at least 13)');
  const { BENCH_DATABASE_URL: serverUrl, NATS_URL: natsUrl } = parseEnv(
    z.object({
      BENCH_DATABASE_URL: z.string().default('postgresql://postgres@127.0.0.1:5432/postgres'),
      NATS_URL: z.string().default('nats://127.0.0.1:4222'),
    }),
  );
  const appNames: AppName[] = ['ingester', 'classifier', 'projector', 'api', 'alerter'];
  for (const app of appNames) {
    if (!existsSync(appEntry(app))) throw new Error(`${appEntry(app)} missing: run "npm run build" first`);
  }

  const suffix = randomBytes(4).toString('hex');
  const databaseName = `diplowatch_bench_alerts_${suffix}`;
  const databaseUrl = withDatabaseName(serverUrl, databaseName);
  const namespace = `bench_alerts_${suffix}`;
  const apps: RunningApp[] = [];
  const appLogs: string[] = [];
  const receiver = await startAlertReceiver();
  const nc = await connect({ servers: natsUrl, noAsyncTraces: true });
  let db: Client | undefined;
  try {
    await createDatabase(serverUrl, databaseName);
    await applyMigrations({ databaseUrl, migrationsDir: projectPaths().migrationsDir });
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
    const issued = issueApiKey();
    await db.query(
      `INSERT INTO api_keys (id, name, hash, scopes, created_at) VALUES ($1, 'bench', $2, '{write}', now())`,
      [issued.id, issued.hash],
    );

    receiver.set(
      '/feed.xml',
      (_received, res) =>
        void res
          .writeHead(200, { 'content-type': 'application/rss+xml' })
          .end('<?xml version="1.0"?><rss version="2.0"><channel><title>empty</title></channel></rss>'),
    );
    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const alerterHealth = await freePort();
    const env: NodeJS.ProcessEnv = {
      NATS_URL: natsUrl,
      DATABASE_URL: databaseUrl,
      DW_NAMESPACE: namespace,
      LOG_LEVEL: 'warn',
      PORT: String(apiPort),
      FEED_URLS: receiver.url('/feed.xml'),
      ALLOW_PRIVATE_NETWORKS: 'true',
      POLL_INTERVAL_SECONDS: '60',
      ALERT_SECRET_KEY: randomBytes(32).toString('hex'),
      ALERT_RECEIVER_ALLOWLIST: '127.0.0.1',
      // One local receiver stands in for a hundred: it gets the concurrency of several.
      ALERT_RECEIVER_CONCURRENCY: '32',
    };
    for (const app of appNames) {
      apps.push(
        startApp(
          app,
          { ...env, HEALTH_PORT: String(app === 'alerter' ? alerterHealth : await freePort()) },
          {
            output: (line) => appLogs.push(line),
          },
        ),
      );
    }
    await waitForHttp(`${apiUrl}/health/ready`, 60_000);
    await waitForHttp(`http://127.0.0.1:${alerterHealth}/health/ready`, 60_000);

    // Subscriptions through the API, as an analyst makes them.
    const inputs = subscriptionInputs(subscriptionCount, receiver.url);
    const subscriptions: Array<CreateSubscription & { id: string; createdAt: string }> = [];
    for (const input of inputs) {
      const response = await fetch(`${apiUrl}/subscriptions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${issued.key}`, 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      const body = (await response.json()) as { id: string; createdAt: string; message?: string };
      if (response.status !== 201)
        throw new Error(`creating a subscription: ${response.status} ${body.message}`);
      subscriptions.push({ ...input, id: body.id, createdAt: body.createdAt });
    }
    log(`${subscriptions.length} subscriptions; publishing ${rate} articles/s for ${seconds} s`);

    // Arrivals: the first time each alert id reaches the receiver.
    const sentAt = new Map<string, number>();
    const firstArrival = new Map<string, { at: number; articleId: string }>();
    let requests = 0;
    receiver.onReceive((received) => {
      if (!received.path.startsWith('/sub/') || !received.alertId) return;
      requests++;
      if (firstArrival.has(received.alertId)) return;
      const payload = JSON.parse(received.body) as AlertPayload & { trigger?: { articleId: string } };
      firstArrival.set(received.alertId, {
        at: received.receivedAt,
        articleId: payload.trigger?.articleId ?? '',
      });
    });

    // Publish at a steady rate, as the ingester would (ArticleIngested on the event log).
    const publisher = new EventPublisher(jetstream(nc), topology(namespace));
    const total = Math.round(rate * seconds);
    const published: ArticleIngestedV1[] = [];
    const inFlight: Array<Promise<unknown>> = [];
    const started = Date.now();
    for (let n = 0; n < total; n++) {
      const due = started + (n * 1000) / rate;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      const { title, text } = article(n);
      const articleId = `bench-${suffix}-${n}`;
      const data: ArticleIngestedV1 = {
        articleId,
        contentHash: 'h1',
        feedUrl: 'https://news.example.org/feed.xml',
        url: `https://news.example.org/${articleId}`,
        canonicalUrl: `https://news.example.org/${articleId}`,
        guid: null,
        title,
        text,
        rawContent: null,
        author: null,
        language: 'en',
        publishedAt: null,
        fetchedAt: new Date().toISOString(),
      };
      published.push(data);
      sentAt.set(articleId, Date.now());
      inFlight.push(
        publisher.publish(createEvent('ArticleIngested', { id: `ArticleIngested:${articleId}:h1`, data })),
      );
    }
    await Promise.all(inFlight);
    const publishSeconds = (Date.now() - started) / 1000;

    // What should arrive: the same classifier and matching code, run here.
    const watch = loadDefaultWatch();
    const states = new Map<string, AlertedEventState>();
    const alerted = new Map<string, Set<string>>();
    const expected = new Set<string>();
    const forMatching = subscriptions.map((s) => ({ ...s, status: 'active' as const }));
    let detections = 0;
    for (const data of published) {
      const { events } = classificationEvents(data, watch, {
        correlationId: data.articleId,
        causationId: null,
      });
      for (const event of events) {
        if (event.type !== 'DiplomaticEventDetected') continue;
        detections++;
        const record = { data: event.data, occurredAt: new Date().toISOString(), streamSequence: detections };
        const { state, change } = evolveAlertedEvent(
          states.get(event.data.diplomaticEventId) ?? null,
          record,
        );
        states.set(state.view.id, state);
        const seen = alerted.get(state.view.id) ?? new Set<string>();
        for (const alert of decideAlerts({
          state,
          change,
          record,
          subscriptions: forMatching,
          alreadyAlerted: seen,
          weeklyCount: () => 0,
          now: new Date(),
        })) {
          expected.add(alert.id);
          seen.add(alert.subscriptionId);
        }
        alerted.set(state.view.id, seen);
      }
    }
    log(
      `published ${total} articles in ${publishSeconds.toFixed(1)} s: ${detections} diplomatic events, ${expected.size} alerts expected`,
    );

    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline && [...expected].some((id) => !firstArrival.has(id))) await sleep(200);
    await sleep(2000); // late repeats, if any, would arrive now

    const latencies = [...firstArrival.entries()]
      .filter(([id]) => expected.has(id))
      .map(([, arrival]) => arrival.at - sentAt.get(arrival.articleId)!)
      .sort((a, b) => a - b);
    const delivered = [...expected].filter((id) => firstArrival.has(id)).length;
    const unexpected = [...firstArrival.keys()].filter((id) => !expected.has(id)).length;
    const { rows } = await db.query<{ state: string; n: number }>(
      'SELECT state, count(*)::int AS n FROM alert_deliveries GROUP BY state ORDER BY state',
    );
    // Where the time goes: article published -> detection recorded (classifier) -> alert
    // stored (alerter's matching) -> webhook received (alerter's delivery).
    const stored = await db.query<{ id: string; created: Date; recorded: string; article: string }>(
      `SELECT id, created_at AS created, payload->'trigger'->>'recordedAt' AS recorded,
              payload->'trigger'->>'articleId' AS article FROM alerts`,
    );
    const stages = { classify: [] as number[], match: [] as number[], deliver: [] as number[] };
    for (const row of stored.rows) {
      const arrival = firstArrival.get(row.id);
      const sent = sentAt.get(row.article);
      if (!arrival || sent === undefined) continue;
      stages.classify.push(Date.parse(row.recorded) - sent);
      stages.match.push(row.created.getTime() - Date.parse(row.recorded));
      stages.deliver.push(arrival.at - row.created.getTime());
    }
    const summary = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
    };
    const stageMs = {
      classify: summary(stages.classify),
      match: summary(stages.match),
      deliver: summary(stages.deliver),
    };
    const result = {
      bench: 'alerts',
      seconds,
      rate,
      articles: total,
      publishSeconds: Math.round(publishSeconds * 10) / 10,
      subscriptions: subscriptions.length,
      diplomaticEvents: detections,
      expected: expected.size,
      delivered,
      missing: expected.size - delivered,
      unexpected,
      requests,
      repeats: requests - firstArrival.size,
      latencyMs: {
        p50: quantile(latencies, 0.5),
        p95: quantile(latencies, 0.95),
        p99: quantile(latencies, 0.99),
        max: latencies.at(-1) ?? NaN,
      },
      stageMs,
      deliveryStates: Object.fromEntries(rows.map((row) => [row.state, row.n])),
      loadAverage: os.loadavg().map((value) => Math.round(value * 10) / 10),
      cpus: os.cpus().length,
      goal: {
        p99UnderMs: GOAL_P99_MS,
        met: quantile(latencies, 0.99) < GOAL_P99_MS && delivered === expected.size && unexpected === 0,
      },
    };
    log(
      `delivered ${delivered}/${expected.size} (missing ${result.missing}, unexpected ${unexpected}, repeats ${result.repeats}); latency p50 ${result.latencyMs.p50} ms, p95 ${result.latencyMs.p95} ms, p99 ${result.latencyMs.p99} ms, max ${result.latencyMs.max} ms`,
    );
    log(
      `stages p50/p99 ms: classify ${stageMs.classify.p50}/${stageMs.classify.p99}, match ${stageMs.match.p50}/${stageMs.match.p99}, deliver ${stageMs.deliver.p50}/${stageMs.deliver.p99}; load average ${result.loadAverage.join(' ')} on ${result.cpus} CPUs`,
    );
    const errors = appLogs.filter((line) => /ERROR|WARN/.test(line));
    if (errors.length > 0)
      log(`app warnings/errors (${errors.length}), first: ${errors.slice(0, 5).join(' | ')}`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await Promise.all(apps.map((app) => stopApp(app)));
    await db?.end();
    await receiver.close();
    const jsm = await jetstreamManager(nc);
    for await (const stream of jsm.streams.list()) {
      if (stream.config.name.toLowerCase().includes(namespace)) await jsm.streams.delete(stream.config.name);
    }
    await nc.close();
    if (!flag('keep')) await dropDatabase(serverUrl, databaseName);
    else log(`kept database ${databaseName}`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench:alerts] failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
