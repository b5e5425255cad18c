// Query latency: seeds a fresh database with 1,000,000 articles and 100,000 diplomatic events
// generated from the development texts (`--scale 0.1` for a tenth), starts the compiled API
// as its own process against it, then times the ten commonest queries over HTTP, one query at
// a time, `--concurrency` (8) requests in flight, `--requests` (400) each after a warm-up.
// Goal: p95 under 50 ms for each. Prints a report, then its figures as one JSON line (the last).
//
//   npm run bench:query [-- --scale 0.1] [--requests 400] [--concurrency 8] [--keep]
//                       [--seed-only]             (seed, keep the database, time nothing)
//                       [--reuse DATABASE_NAME]   (time an already seeded database again)
//                       [--only latest,full_text] (time only the queries named)
//
// BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres) names the server;
// the bench creates its own database there and drops it afterwards unless --keep. The API
// needs NATS (NATS_URL) to start; its streams are deleted afterwards.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import { z } from 'zod';
import { parseEnv } from '@diplowatch/config';
import { issueApiKey } from '@diplowatch/domain';
import {
  applyMigrations,
  createDatabase,
  dropDatabase,
  projectPaths,
  redactDatabaseUrl,
  withDatabaseName,
} from '../../libs/persistence/src/migrations';
import { appEntry, repoRoot, startApp, stopApp, waitForHttp } from '../../scripts/lib/app-processes';
import { random, textVariants } from './generate';
import { type BenchQuery, BENCH_QUERIES, EXTRA_QUERIES, type QueryContext } from './queries';
import { seed, type SeedCounts } from './seed';
import { freePort } from '../../scripts/lib/infrastructure';

const GOAL_P95_MS = 50;

const arg = (name: string): string | undefined => {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const flag = (name: string) => process.argv.slice(2).includes(`--${name}`);
const log = (line: string) => process.stdout.write(`[bench:query] ${line}\n`);

/** Removes what the API created on the NATS server: every stream named after its namespace. */
async function deleteStreams(natsUrl: string, namespace: string): Promise<void> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    for await (const stream of jsm.streams.list()) {
      if (stream.config.name.toLowerCase().includes(namespace)) await jsm.streams.delete(stream.config.name);
    }
  } finally {
    await nc.close();
  }
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
const round = (value: number) => Math.round(value * 10) / 10;

type Timing = {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
  rps: number;
  errors: number;
};

/**
 * One GET over a keep-alive connection, its body read to the end. node:http rather than fetch:
 * the client shares the two cores with the API and Postgres, and fetch (WHATWG streams) costs
 * more CPU a request than node:http, which would be counted as API latency.
 */
function get(agent: http.Agent, url: string, key: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent, headers: { authorization: `Bearer ${key}` } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

/** `requests` requests of one query, `concurrency` in flight, each timed from send to last byte. */
async function time(
  baseUrl: string,
  key: string,
  query: BenchQuery,
  context: QueryContext,
  options: { requests: number; concurrency: number; seed: number; agent: http.Agent },
): Promise<Timing> {
  const rng = random(options.seed);
  const paths = Array.from({ length: options.requests }, () => query.path(rng, context));
  const latencies: number[] = [];
  let errors = 0;
  let firstError = '';
  let next = 0;
  const { agent } = options;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      for (let i = next++; i < paths.length; i = next++) {
        const t0 = performance.now();
        const response = await get(agent, `${baseUrl}${paths[i]}`, key);
        const body = response.body;
        latencies.push(performance.now() - t0);
        if (response.status !== 200) {
          errors++;
          firstError ||= `${paths[i]} -> ${response.status} ${body.slice(0, 200)}`;
        }
      }
    }),
  );
  const elapsed = performance.now() - started;
  if (firstError) log(`  ${query.name}: ${errors} errors, e.g. ${firstError}`);
  latencies.sort((a, b) => a - b);
  return {
    p50: round(quantile(latencies, 0.5)),
    p95: round(quantile(latencies, 0.95)),
    p99: round(quantile(latencies, 0.99)),
    mean: round(latencies.reduce((sum, value) => sum + value, 0) / latencies.length),
    max: round(latencies.at(-1)!),
    rps: Math.round((latencies.length / elapsed) * 1000),
    errors,
  };
}

async function main(): Promise<void> {
  const scale = Number(arg('scale') ?? 1);
  const requests = Number(arg('requests') ?? 400);
  const concurrency = Number(arg('concurrency') ?? 8);
  if (!(scale > 0 && scale <= 1) || !(requests > 0) || !(concurrency > 0))
    throw new Error('usage: --scale (0,1] --requests N --concurrency N');
  const { BENCH_DATABASE_URL: serverUrl, NATS_URL: natsUrl } = parseEnv(
    z.object({
      BENCH_DATABASE_URL: z.string().default('postgresql://postgres@127.0.0.1:5432/postgres'),
      NATS_URL: z.string().default('nats://127.0.0.1:4222'),
    }),
  );
  if (!existsSync(appEntry('api'))) throw new Error(`${appEntry('api')} missing: run "npm run build" first`);
  const devFile = path.resolve(repoRoot, '..', 'shared', 'eval', 'dev.jsonl');

  const reuse = arg('reuse');
  const name = reuse ?? `diplowatch_bench_query_${randomBytes(4).toString('hex')}`;
  const url = withDatabaseName(serverUrl, name);
  let counts: SeedCounts | null = null;
  let seedSeconds: number | null = null;
  const articles = Math.round(1_000_000 * scale);
  const events = Math.round(100_000 * scale);
  if (!reuse) {
    log(`seeding ${articles} articles and ${events} diplomatic events into ${redactDatabaseUrl(url)}`);
    const started = Date.now();
    await createDatabase(serverUrl, name);
    await applyMigrations({ databaseUrl: url, migrationsDir: projectPaths().migrationsDir });
    counts = await seed(url, { articles, events, variants: textVariants(devFile), log });
    seedSeconds = Math.round((Date.now() - started) / 1000);
    log(`seeded in ${seedSeconds} s: ${JSON.stringify(counts)}`);
    if (flag('seed-only')) {
      log(`kept database ${name}: time it with --reuse ${name}`);
      process.stdout.write(
        `${JSON.stringify({ bench: 'query', scale, database: name, seedSeconds, ...counts })}\n`,
      );
      return;
    }
  }

  const db = new Client({ connectionString: url });
  await db.connect();
  const issued = issueApiKey();
  await db.query(
    `INSERT INTO api_keys (id, name, hash, scopes, created_at) VALUES ($1, 'bench', $2, '{read}', now())`,
    [issued.id, issued.hash],
  );
  const { rows } = await db.query<{ id: string }>(
    'SELECT id FROM diplomatic_events ORDER BY md5(id) LIMIT 2000',
  );
  const { rows: sizes } = await db.query<{ articles: string; events: string }>(
    `SELECT (SELECT count(*) FROM articles) AS articles, (SELECT count(*) FROM diplomatic_events) AS events`,
  );
  const context: QueryContext = { eventIds: rows.map((row) => row.id) };

  const port = await freePort();
  // The API as deployed, in its own process, its streams in a namespace of its own.
  const namespace = `bench_query_${randomBytes(4).toString('hex')}`;
  const api = startApp(
    'api',
    {
      DATABASE_URL: url,
      NATS_URL: natsUrl,
      DW_NAMESPACE: namespace,
      PORT: String(port),
      LOG_LEVEL: 'error',
      // "--require ./dist/bench/query/profile-api.js" profiles the API (see that file).
      NODE_OPTIONS: process.env.BENCH_API_NODE_OPTIONS ?? '',
    },
    { output: (line) => (/error|fatal/i.test(line) ? process.stderr.write(`${line}\n`) : undefined) },
  );
  // One connection per request in flight, kept open (as a dashboard or a client library would).
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const figures: Record<string, Timing & { question: string }> = {};
  const extra: Record<string, Timing & { question: string }> = {};
  try {
    const baseUrl = `http://127.0.0.1:${port}`;
    // /docs-json: only the API itself answers it (not the stand-in that answers health probes
    // while the app starts).
    await waitForHttp(`${baseUrl}/docs-json`, 60_000);
    log(`API up; ${requests} requests a query, ${concurrency} in flight`);
    const only = arg('only')?.split(',');
    for (const [index, query] of [...BENCH_QUERIES, ...EXTRA_QUERIES].entries()) {
      if (only && !only.includes(query.name)) continue;
      const isExtra = index >= BENCH_QUERIES.length;
      await time(baseUrl, issued.key, query, context, {
        requests: 24,
        concurrency,
        seed: 1000 + index,
        agent,
      });
      const timing = await time(baseUrl, issued.key, query, context, {
        requests,
        concurrency,
        seed: index,
        agent,
      });
      (isExtra ? extra : figures)[query.name] = { question: query.question, ...timing };
      log(
        `${(isExtra ? '(extra) ' : '') + query.name.padEnd(28)} p50 ${String(timing.p50).padStart(6)}  p95 ${String(timing.p95).padStart(6)}  p99 ${String(timing.p99).padStart(6)} ms  ${timing.rps} req/s${timing.errors ? `  ${timing.errors} errors` : ''}`,
      );
    }
  } finally {
    agent.destroy();
    await stopApp(api);
    await deleteStreams(natsUrl, namespace);
    await db.end();
    if (!reuse && !flag('keep')) await dropDatabase(serverUrl, name);
    else log(`kept database ${name}`);
  }

  const over = Object.entries(figures).filter(([, timing]) => timing.p95 >= GOAL_P95_MS || timing.errors > 0);
  log(
    over.length === 0
      ? `goal met: every p95 under ${GOAL_P95_MS} ms`
      : `goal missed by: ${over.map(([name, timing]) => `${name} (p95 ${timing.p95} ms${timing.errors ? `, ${timing.errors} errors` : ''})`).join(', ')}`,
  );
  process.stdout.write(
    `${JSON.stringify({
      bench: 'query',
      scale: reuse ? null : scale,
      articles: Number(sizes[0]!.articles),
      diplomaticEvents: Number(sizes[0]!.events),
      sources: counts?.sources ?? null,
      versions: counts?.versions ?? null,
      seedSeconds,
      concurrency,
      requestsPerQuery: requests,
      goalP95Ms: GOAL_P95_MS,
      goalMet: over.length === 0,
      queries: figures,
      extra,
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench:query] failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
