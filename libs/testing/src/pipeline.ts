// The end-to-end tests' fixture: the compiled apps (dist/) as processes against the real
// nats-server and Postgres, in a NATS namespace of their own, fed by a local feed server.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type NatsConnection } from '@nats-io/transport-node';
import { Client } from 'pg';
import { type ApiKeyScope, issueApiKey } from '@diplowatch/domain';
// Relative: the scripts are no library of their own, and the benches and `npm start` share them.
import {
  type AppName,
  type RunningApp,
  appEntry,
  repoRoot,
  startApp,
  stopApp,
  waitForHttp,
} from '../../../scripts/lib/app-processes';
import { freePort } from '../../../scripts/lib/infrastructure';
import { type TestDatabase, createTestDatabase } from './database';
import { type FeedRoute, type FeedServer, startFeedServer } from './feed-server';
import { connectTestNats, deleteNamespace, testNamespace, testNatsUrl } from './nats';

/** The labelled development texts (../shared/eval/dev.jsonl, or EVAL_FILE) the e2e feeds are made of. */
export const devSetFile =
  process.env.EVAL_FILE ?? path.resolve(repoRoot, '..', 'shared', 'eval', 'dev.jsonl');

/** An app to start: its name, or the name under another label (two replicas, a second projector…). */
export type PipelineApp = AppName | { app: AppName; label: string; env?: NodeJS.ProcessEnv };

export type PipelineOptions<Key extends string = never> = {
  /** Prefix of the NATS namespace (streams, subjects, KV buckets) the run gets to itself. */
  name: string;
  /** Started in this order, then waited for (/health/ready) together. Default: none. */
  apps?: PipelineApp[];
  /** 'run': the test run's database (DATABASE_URL from Jest's global setup). 'own': a fresh migrated one, dropped by stop(). */
  database?: 'run' | 'own';
  /** Routes of a local feed server; FEED_URLS lists `feedPaths` (default: every route). */
  feeds?: Record<string, FeedRoute>;
  feedPaths?: string[];
  /** API keys issued into the database before the apps start: name -> scopes. */
  apiKeys?: Record<Key, ApiKeyScope[]>;
  /** Environment of every app, over the defaults (NATS, database, namespace, API port, feeds). */
  env?: NodeJS.ProcessEnv;
  /** Runs once NATS, the database and the feed server are there, before any app starts. */
  beforeApps?: (pipeline: Pipeline<Key>) => Promise<void>;
};

export type Pipeline<Key extends string = never> = {
  namespace: string;
  databaseUrl: string;
  /** A connection to that database, for assertions and seeding. */
  db: Client;
  nc: NatsConnection;
  /** The local feed server (undefined without `feeds`). */
  feeds: FeedServer | undefined;
  /** http://127.0.0.1:<PORT> of the API app (whether or not it runs). */
  apiUrl: string;
  /** The keys to present (Bearer), by the names given in `apiKeys`. */
  keys: Record<Key, string>;
  /** What every app is started with. */
  env: NodeJS.ProcessEnv;
  /** Running apps by label. */
  apps: Map<string, RunningApp>;
  /** Every app's output lines, prefixed with its label. */
  logs: string[];
  /**
   * Starts an app (again) and, unless `wait: false`, waits for its /health/ready. A label keeps
   * its health port across restarts.
   */
  launch(
    app: AppName,
    options?: { label?: string; env?: NodeJS.ProcessEnv; wait?: boolean },
  ): Promise<RunningApp>;
  /** Waits for /health/ready of a running app. */
  ready(label: string, timeoutMs?: number): Promise<void>;
  /** Writes the last `lines` app log lines to stderr under a heading. */
  printLogs(lines?: number, heading?: string): void;
  /** Runs `test`; on failure prints the app logs, then fails. */
  withLogs<T>(test: () => Promise<T>, lines?: number): Promise<T>;
  /** Stops the apps (SIGTERM, then SIGKILL), closes the connections and the feed server, deletes the namespace and an own database. */
  stop(): Promise<void>;
};

const READY_TIMEOUT_MS = 60_000;

function assertBuilt(app: AppName): void {
  if (!existsSync(appEntry(app)))
    throw new Error(`${appEntry(app)} missing: run "npm run build" first (npm test does)`);
}

/** Starts what `options` asks for; on any failure stops what it started and throws. */
export async function startPipeline<Key extends string = never>(
  options: PipelineOptions<Key>,
): Promise<Pipeline<Key>> {
  const wanted = (options.apps ?? []).map((entry) =>
    typeof entry === 'string' ? { app: entry, label: entry, env: {} } : { env: {}, ...entry },
  );
  for (const { app } of wanted) assertBuilt(app);

  const namespace = testNamespace(options.name);
  const logs: string[] = [];
  const apps = new Map<string, RunningApp>();
  const healthPorts = new Map<string, number>();
  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  let database: TestDatabase | undefined;
  let db: Client | undefined;
  let nc: NatsConnection | undefined;
  let feeds: FeedServer | undefined;

  const healthUrl = (label: string) => {
    if (!apps.has(label)) throw new Error(`no app "${label}" was started`);
    const port = healthPorts.get(label);
    return port ? `http://127.0.0.1:${port}/health/ready` : `${apiUrl}/health/ready`;
  };

  const stop = async () => {
    // SIGCONT first: a test may have paused an app (SIGSTOP), which would otherwise sit out SIGTERM.
    for (const app of apps.values()) app.child.kill('SIGCONT');
    await Promise.all([...apps.values()].map((app) => stopApp(app)));
    await db?.end();
    await feeds?.close();
    if (nc) {
      await deleteNamespace(nc, namespace);
      await nc.drain();
    }
    await database?.drop();
  };

  try {
    if (options.feeds) feeds = await startFeedServer(options.feeds);
    if (options.database === 'own') database = await createTestDatabase();
    const databaseUrl = database?.url ?? process.env.DATABASE_URL;
    if (!databaseUrl)
      throw new Error('DATABASE_URL unset: run under the e2e project (its global setup sets it)');
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
    nc = await connectTestNats();

    const keys = {} as Record<Key, string>;
    for (const [name, scopes] of Object.entries<ApiKeyScope[]>(options.apiKeys ?? {})) {
      const issued = issueApiKey();
      await db.query(
        `INSERT INTO api_keys (id, name, hash, scopes, created_at) VALUES ($1, $2, $3, $4, now())`,
        [issued.id, `${options.name}-e2e-${name}`, issued.hash, scopes],
      );
      keys[name as Key] = issued.key;
    }

    const env: NodeJS.ProcessEnv = {
      NATS_URL: testNatsUrl(),
      DATABASE_URL: databaseUrl,
      DW_NAMESPACE: namespace,
      PORT: String(apiPort),
      LOG_LEVEL: 'warn',
      ...(feeds
        ? {
            FEED_URLS: (options.feedPaths ?? Object.keys(options.feeds ?? {}))
              .map((route) => feeds!.url(route))
              .join(','),
            // The feed server is on loopback: allowed for tests only.
            ALLOW_PRIVATE_NETWORKS: 'true',
            POLL_INTERVAL_SECONDS: '1',
          }
        : {}),
      ...options.env,
    };

    const pipeline: Pipeline<Key> = {
      namespace,
      databaseUrl,
      db,
      nc,
      feeds,
      apiUrl,
      keys,
      env,
      apps,
      logs,
      async launch(app, { label = app, env: extra = {}, wait = true } = {}) {
        assertBuilt(app);
        // The API answers /health on PORT; the workers on HEALTH_PORT.
        if (app !== 'api' && !healthPorts.has(label)) healthPorts.set(label, await freePort());
        const healthPort = healthPorts.get(label);
        const running = startApp(
          app,
          { ...env, ...(healthPort ? { HEALTH_PORT: String(healthPort) } : {}), ...extra },
          { label, output: (line) => logs.push(line) },
        );
        apps.set(label, running);
        if (wait) await pipeline.ready(label);
        return running;
      },
      ready: (label, timeoutMs = READY_TIMEOUT_MS) => waitForHttp(healthUrl(label), timeoutMs),
      printLogs(lines = 200, heading = 'app logs') {
        process.stderr.write(`--- ${heading} ---\n${logs.slice(-lines).join('\n')}\n`);
      },
      async withLogs(test, lines) {
        try {
          return await test();
        } catch (error) {
          pipeline.printLogs(lines);
          throw error;
        }
      },
      stop,
    };

    if (options.beforeApps) await options.beforeApps(pipeline);
    for (const { app, label, env: extra } of wanted)
      await pipeline.launch(app, { label, env: extra, wait: false });
    await Promise.all(wanted.map(({ label }) => pipeline.ready(label)));
    return pipeline;
  } catch (error) {
    process.stderr.write(`--- app logs (pipeline start failed) ---\n${logs.slice(-200).join('\n')}\n`);
    await stop().catch(() => undefined);
    throw error;
  }
}
