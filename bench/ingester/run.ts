/**
 * `npm run bench:ingester [-- --feeds N --items K --changed F --no-etag E --concurrency C --hosts H --replicas R --profile FILE --profile-first FILE]`
 *
 * A local HTTP server (a child process, on H loopback addresses, so the per-host limit applies as it would
 * across publishers) serves N feeds of K items each. The real poller (FeedPoller + registry in
 * a fresh Postgres database + ArticlePublisher over JetStream and KV) runs:
 *   1. a first cycle: every feed answers 200 and every item is new (a cold start);
 *   2. a steady cycle, measured against the goals: a fraction F of the feeds has 2 new items
 *      (200), the rest answer 304 to their ETag - the everyday mix. With --no-etag E, a fraction E
 *      of the feeds send no ETag and answer every poll with the whole document (unchanged ones
 *      are recognised by the body hash and not parsed again).
 * Beside it, on the same URLs, validators and concurrency: a plain HTTP GET loop (no registry,
 * no parsing, no publishing), and on the same documents: checkFeedBody against a bare saxes pass.
 * With --replicas R, R - 1 more replicas (processes of their own, bench/ingester/replica.ts) poll
 * the same registry beside the bench's own; CPU is then summed over them.
 * Also the time and heap an XML bomb costs. Human-readable progress on stderr, one JSON line on
 * stdout at the end. Traffic goes only to 127.0.0.0/8 on this machine.
 */
import { randomBytes } from 'node:crypto';
import { fork, spawnSync } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { Logger } from '@nestjs/common';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { SaxesParser } from 'saxes';
import { topology } from '@diplowatch/contracts';
import { checkFeedBody } from '@diplowatch/domain';
import { EventPublisher, ensureStreams } from '@diplowatch/messaging';
import { createPrismaClient } from '@diplowatch/persistence';
import { createTestDatabase } from '../../libs/testing/src/database';
import { ArticlePublisher } from '../../apps/ingester/src/article-publisher';
import { KnownItems } from '../../apps/ingester/src/known-items';
import { FeedPoller, type PollReport } from '../../apps/ingester/src/polling/feed-poller';
import { HostLimiter } from '../../apps/ingester/src/polling/host-limiter';
import { FeedRegistry } from '../../apps/ingester/src/registry/feed-registry';
import { SeenArticles } from '../../apps/ingester/src/seen-articles.store';
import { repoRoot } from '../../scripts/lib/app-processes';
import { feedDocument } from './documents';
import { benchPollerOptions } from './poller-options';

const log = (line: string) => process.stderr.write(`[bench:ingester] ${line}\n`);

function arg(name: string, fallback: number, min: 'positive' | 'zero' = 'positive'): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isFinite(value) || value < 0 || (min === 'positive' && value === 0))
    throw new Error(`--${name} must be a ${min === 'positive' ? 'positive' : 'non-negative'} number`);
  return value;
}

const FEEDS = arg('feeds', 10_000);
const ITEMS = arg('items', 20);
const CHANGED = arg('changed', 0.2);
const NO_ETAG = arg('no-etag', 0, 'zero');
const CONCURRENCY = arg('concurrency', 64);
const HOSTS = arg('hosts', 50);
const HOST_CONCURRENCY = arg('host-concurrency', 4);
const REPLICAS = arg('replicas', 1);
const MB = 1024 * 1024;

// ---- server (a child process) ---------------------------------------------------------------

type Server = {
  urls: string[];
  bump(count: number): Promise<void>;
  served(): Promise<{ ok: number; notModified: number }>;
  close(): Promise<void>;
};

async function startServer(): Promise<Server> {
  const child = fork(
    path.join(__dirname, 'feed-server.js'),
    [String(FEEDS), String(ITEMS), String(HOSTS), String(NO_ETAG)],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const next = <T>(type: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (message: { type: string } & T) => {
        if (message.type !== type) return;
        child.off('message', onMessage);
        resolve(message);
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`feed server exited (${code})`)));
    });
  const { urls } = await next<{ urls: string[] }>('ready');
  return {
    urls,
    bump: async (count) => {
      const done = next('bumped');
      child.send({ type: 'bump', count });
      await done;
    },
    served: async () => {
      const stats = next<{ served: { ok: number; notModified: number } }>('stats');
      child.send({ type: 'stats' });
      return (await stats).served;
    },
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'close' });
      await exited;
    },
  };
}

// ---- more replicas (child processes) ---------------------------------------------------------

type Replica = {
  start(label: string, onPolled: (outcome: string, published: number) => void): void;
  stop(): Promise<{ cpuSeconds: number; peakRssMb: number }>;
  close(): Promise<void>;
};

async function startReplica(index: number, databaseUrl: string, namespace: string): Promise<Replica> {
  const child = fork(
    path.join(__dirname, 'replica.js'),
    [databaseUrl, namespace, `bench-replica${index}`, String(CONCURRENCY), String(HOST_CONCURRENCY)],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  let onPolled: (outcome: string, published: number) => void = () => undefined;
  let onStopped: (value: { cpuSeconds: number; peakRssMb: number }) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    child.on(
      'message',
      (message: {
        type: string;
        outcome?: string;
        published?: number;
        cpuSeconds?: number;
        peakRssMb?: number;
      }) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'polled') onPolled(message.outcome!, message.published!);
        else if (message.type === 'stopped')
          onStopped({ cpuSeconds: message.cpuSeconds!, peakRssMb: message.peakRssMb! });
      },
    );
    child.once('exit', (code) => reject(new Error(`replica ${index} exited (${code})`)));
  });
  await ready;
  return {
    start: (label, polled) => {
      onPolled = polled;
      child.send({ type: 'start', label });
    },
    stop: () =>
      new Promise((resolve) => {
        onStopped = resolve;
        child.send({ type: 'stop' });
      }),
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'close' });
      await exited;
    },
  };
}

// ---- measuring ------------------------------------------------------------------------------

/**
 * CPU seconds of the main thread alone (Linux: /proc/self/task/<pid>/stat, in clock ticks of
 * 10 ms), or null elsewhere. process.cpuUsage() also counts V8's GC helper threads and libuv's
 * pool; the main thread is the part that a worker pool or a replica would take work off.
 */
function mainThreadCpuSeconds(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, hence the last ')'): utime is the
    // 12th, stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

function meter() {
  const cpu = process.cpuUsage();
  const mainCpu = mainThreadCpuSeconds();
  const started = performance.now();
  let peakRss = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 100);
  return () => {
    clearInterval(timer);
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    const mainNow = mainThreadCpuSeconds();
    return {
      seconds,
      cpuSeconds: (used.user + used.system) / 1e6,
      mainThreadCpuSeconds: mainCpu === null || mainNow === null ? null : mainNow - mainCpu,
      peakRssMb: peakRss / MB,
    };
  };
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * A plain GET loop: same URLs, validators and concurrency limits, nothing done with the bodies,
 * and the same connection reuse as the ingester's safeFetch (keep-alive, 4 s idle, 8 free per host).
 */
async function plainLoop(
  urls: string[],
  etags: (string | null)[],
): Promise<{ seconds: number; cpuSeconds: number }> {
  const agent = new http.Agent({ keepAlive: true, timeout: 4000, maxFreeSockets: 8, scheduling: 'lifo' });
  const limiter = new HostLimiter(CONCURRENCY, HOST_CONCURRENCY);
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    urls.map((url, i) =>
      limiter.run(
        new URL(url).host,
        () =>
          new Promise<void>((resolve, reject) => {
            const headers: Record<string, string> = { 'accept-encoding': 'gzip, deflate, br' };
            if (etags[i]) headers['if-none-match'] = etags[i]!;
            http
              .get(url, { agent, headers }, (res) => {
                res.on('data', () => undefined);
                res.on('end', () => resolve());
                res.on('error', reject);
              })
              .on('error', reject);
          }),
      ),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  agent.destroy();
  return { seconds, cpuSeconds: (used.user + used.system) / 1e6 };
}

function parseRates(docs: Buffer[]) {
  const bytes = docs.reduce((sum, doc) => sum + doc.length, 0);
  // CPU time of this thread, not wall time: "per core", and robust to other load on the machine.
  const time = (fn: () => void) => {
    fn(); // warm-up (JIT)
    let best = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 3; round++) {
      const cpu = process.cpuUsage();
      fn();
      const used = process.cpuUsage(cpu);
      best = Math.min(best, (used.user + used.system) / 1e6);
    }
    return best;
  };
  let items = 0;
  const ours = time(() => {
    items = 0;
    for (const doc of docs)
      items += checkFeedBody(doc, { feedUrl: 'https://bench.example.org/feed.xml' }).items;
  });
  const saxes = time(() => {
    for (const doc of docs) {
      const parser = new SaxesParser({ xmlns: true });
      parser.on('error', () => undefined);
      parser.write(doc.toString('utf8')).close();
    }
  });
  return {
    documents: docs.length,
    mb: round(bytes / MB),
    itemsPerDocument: items / docs.length,
    mbPerSecond: round(bytes / MB / ours),
    saxesMbPerSecond: round(bytes / MB / saxes),
  };
}

function bombCost() {
  const bomb = Buffer.from(
    `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol "lol">${Array.from(
      { length: 9 },
      (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`,
    ).join('')}]><rss version="2.0"><channel><title>&lol9;</title></channel></rss>`,
  );
  const heap = process.memoryUsage().heapUsed;
  const started = performance.now();
  const check = checkFeedBody(bomb, { feedUrl: 'https://bench.example.org/bomb.xml' });
  return {
    outcome: check.outcome,
    error: check.outcome === 'rejected' ? check.code : null,
    ms: round(performance.now() - started, 2),
    heapDeltaMb: round((process.memoryUsage().heapUsed - heap) / MB, 2),
  };
}

// ---- the run --------------------------------------------------------------------------------

async function main(): Promise<void> {
  const loadAtStart = os.loadavg().map((x) => round(x, 2));
  const memory = (stage: string) => {
    // With --expose-gc, measure what is live rather than what the collector has not reclaimed yet.
    (globalThis as { gc?: () => void }).gc?.();
    const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
    log(
      `memory ${stage}: rss ${round(rss / MB)} MB, heap ${round(heapUsed / MB)} MB, external ${round(external / MB)} MB, buffers ${round(arrayBuffers / MB)} MB`,
    );
  };
  memory('at start');
  log(
    `feeds ${FEEDS}, items ${ITEMS}, changed ${CHANGED}, without ETag ${NO_ETAG}, concurrency ${CONCURRENCY} (${HOST_CONCURRENCY} per host, ${HOSTS} hosts)`,
  );
  const server = await startServer();
  // Migrations run in a child process: the schema engine (WASM) would otherwise sit in this
  // process's memory, which is meant to measure the ingester alone.
  const db = await createTestDatabase({ migrate: false });
  const migrated = spawnSync(process.execPath, [path.join(repoRoot, 'dist', 'scripts', 'db-migrate.js')], {
    env: { ...process.env, DATABASE_URL: db.url },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (migrated.status !== 0) throw new Error('migrating the bench database failed');
  const prisma = createPrismaClient(db.url, 8);
  const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222', noAsyncTraces: true });
  const namespace = `bench_ingest_${randomBytes(4).toString('hex')}`;
  const t = topology(namespace);
  const jsm = await jetstreamManager(nc);
  const replicas: Replica[] = [];
  const cleanup = async () => {
    await Promise.all(replicas.map((replica) => replica.close().catch(() => undefined)));
    for (const stream of [t.eventStream, t.deadLetterStream, `KV_${namespace}_seen_articles`])
      await jsm.streams.delete(stream).catch(() => undefined);
    await nc.drain().catch(() => undefined);
    await prisma.$disconnect();
    await db.drop();
    await server.close();
  };
  try {
    await ensureStreams(jsm, t, { duplicateWindowSeconds: 120, maxAgeDays: 0 });
    const publisher = new EventPublisher(jetstream(nc), t);
    const seen = await SeenArticles.open(nc, namespace);
    memory('connected');
    const registry = new FeedRegistry(prisma);
    await registry.seed(
      server.urls.map((url) => ({ url })),
      'config',
      3600,
    );
    const articles = new ArticlePublisher({
      seen,
      publish: (event) => publisher.publish(event),
      knownItems: new KnownItems(),
    });
    // As the app runs with LOG_LEVEL=log: no debug lines (they are not even built then).
    Logger.overrideLogger(['log', 'warn', 'error', 'fatal']);
    const logger = new Logger('bench');
    logger.log = () => undefined;
    logger.debug = () => undefined;

    for (let i = 1; i < REPLICAS; i++) replicas.push(await startReplica(i, db.url, namespace));

    const runCycle = async (label: string) => {
      const reports: PollReport[] = [];
      let resolveDone!: () => void;
      const done = new Promise<void>((resolve) => (resolveDone = resolve));
      // Polls by the other replicas: outcome and articles published.
      const elsewhere: { outcome: string; published: number }[] = [];
      const polled = () => reports.length + elsewhere.length;
      const poller = new FeedPoller(
        registry,
        articles,
        benchPollerOptions(`bench-${label}`, CONCURRENCY, HOST_CONCURRENCY),
        {
          logger,
          onPoll: (report) => {
            reports.push(report);
            if (polled() === FEEDS) resolveDone();
          },
        },
      );
      const stop = meter();
      for (const replica of replicas)
        replica.start(label, (outcome, published) => {
          elsewhere.push({ outcome, published });
          if (polled() === FEEDS) resolveDone();
        });
      poller.start();
      await done;
      const own = stop();
      const [others] = await Promise.all([
        Promise.all(replicas.map((replica) => replica.stop())),
        poller.stop(),
      ]);
      const m = {
        ...own,
        cpuSeconds: own.cpuSeconds + others.reduce((sum, r) => sum + r.cpuSeconds, 0),
      };
      const polls = [
        ...reports.map((r) => ({ outcome: r.outcome, published: r.articles?.published ?? 0 })),
        ...elsewhere,
      ];
      const published = polls.reduce((sum, r) => sum + r.published, 0);
      const outcomes: Record<string, number> = {};
      for (const r of polls) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
      const result = {
        seconds: round(m.seconds, 2),
        feedsPerSecond: round(FEEDS / m.seconds),
        articlesPublished: published,
        articlesPerSecond: round(published / m.seconds),
        cpuCores: round(m.cpuSeconds / m.seconds, 2),
        cpuSeconds: round(m.cpuSeconds, 2),
        mainThreadCpuSeconds: m.mainThreadCpuSeconds === null ? null : round(m.mainThreadCpuSeconds, 2),
        peakRssMb: round(m.peakRssMb),
        ...(replicas.length > 0
          ? {
              polledHere: reports.length,
              replicaPeakRssMb: others.map((r) => round(r.peakRssMb)),
            }
          : {}),
        outcomes,
      };
      log(`${label}: ${JSON.stringify(result)}`);
      return result;
    };

    const profiled = async <T>(flag: string, run: () => Promise<T>): Promise<T> => {
      const index = process.argv.indexOf(flag);
      if (index < 0) return run();
      const session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
      const result = await run();
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(process.argv[index + 1]!, JSON.stringify(profile));
      session.disconnect();
      return result;
    };

    memory('registry seeded');
    const baselineRssMb = round(process.memoryUsage().rss / MB);
    log(
      `resident before polling (Node, Prisma, NATS; the feed server is a child process): ${baselineRssMb} MB`,
    );
    // --profile-first FILE: the same for the cold first cycle (every item new: the per-article cost).
    const first = await profiled('--profile-first', () => runCycle('first'));
    // The everyday mix: some feeds have two new items, the others answer 304.
    const changed = Math.round(FEEDS * CHANGED);
    await server.bump(changed);
    await prisma.feed.updateMany({ data: { nextCheckAt: new Date(0) } });
    const etags = (await prisma.feed.findMany({ select: { url: true, etag: true } })).reduce(
      (map, row) => map.set(row.url, row.etag),
      new Map<string, string | null>(),
    );
    memory('after the first cycle');
    // --profile FILE: a CPU profile (.cpuprofile, for Chrome DevTools) of the steady cycle alone.
    const steady = await profiled('--profile', () => runCycle('steady'));
    memory('after the steady cycle');

    // The same requests once more, without the ingester: the plain loop's rate.
    const plain = await plainLoop(
      server.urls,
      server.urls.map((url) => etags.get(url) ?? null),
    );
    const plainSeconds = plain.seconds;
    const plainRate = FEEDS / plainSeconds;
    log(
      `plain GET loop: ${round(plainSeconds, 2)} s, ${round(plainRate)} feeds/s, ${round(plain.cpuSeconds, 2)} CPU s`,
    );

    const sample = Array.from({ length: Math.min(FEEDS, 2000) }, (_, i) => feedDocument(i, 0, ITEMS, HOSTS));
    const parse = parseRates(sample);
    log(`parse: ${JSON.stringify(parse)}`);
    const bomb = bombCost();
    log(`xml bomb: ${JSON.stringify(bomb)}`);

    const goals = {
      tenThousandFeedsUnder60s: FEEDS >= 10_000 ? steady.seconds < 60 : null,
      atLeastHalfPlainRate: steady.feedsPerSecond >= plainRate / 2,
      under400MbRss: Math.max(first.peakRssMb, steady.peakRssMb) < 400,
      parseAtLeast20MbPerSecond: parse.mbPerSecond >= 20,
      bombUnder100ms: bomb.ms < 100,
    };
    process.stdout.write(
      `${JSON.stringify({
        bench: 'ingester',
        feeds: FEEDS,
        itemsPerFeed: ITEMS,
        changedFraction: CHANGED,
        noEtagFraction: NO_ETAG,
        concurrency: CONCURRENCY,
        hostConcurrency: HOST_CONCURRENCY,
        hosts: HOSTS,
        replicas: REPLICAS,
        // V8's heap limit for this run (npm run bench:ingester sets --max-old-space-size=256, as
        // docker-compose does for the ingester): without one, V8 on a 24 GB machine lets garbage
        // pile up to gigabytes before collecting, and RSS says little about what is needed.
        heapLimitMb: round(v8.getHeapStatistics().heap_size_limit / MB),
        baselineRssMb,
        firstCycle: first,
        steadyCycle: steady,
        plainLoop: {
          seconds: round(plainSeconds, 2),
          feedsPerSecond: round(plainRate),
          cpuSeconds: round(plain.cpuSeconds, 2),
        },
        steadyVsPlain: round(steady.feedsPerSecond / plainRate, 2),
        // The same comparison in CPU time of this process (the feed server runs apart): what
        // each poll costs the ingester against a bare GET, less sensitive to other load on the
        // machine than wall time (a loaded machine gives the bench well under its two cores).
        steadyVsPlainCpu: round(plain.cpuSeconds / steady.cpuSeconds, 2),
        cpuMsPerFeed: {
          steady: round((steady.cpuSeconds * 1000) / FEEDS, 3),
          plain: round((plain.cpuSeconds * 1000) / FEEDS, 3),
        },
        loadAverage: { start: loadAtStart, end: os.loadavg().map((x) => round(x, 2)) },
        parse,
        xmlBomb: bomb,
        served: await server.served(),
        goals,
      })}\n`,
    );
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:ingester failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
