/**
 * `npm start` — the whole pipeline in one terminal: ingester -> classifier -> projector -> api,
 * alerter; each app is restarted if it exits by itself (capped backoff), all stop on Ctrl-C.
 * `npm run demo` — the same, polling bundled sample feeds from a local server, offline.
 *
 * Uses DATABASE_URL and NATS_URL when given. Without DATABASE_URL it runs an embedded
 * PostgreSQL (data under .data/); where no NATS answers it starts nats-server from PATH.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv, redactUrl, startEnvSchema } from '@diplowatch/config';
import { issueApiKey } from '@diplowatch/domain';
import { applyMigrations, createPrismaClient, ensureDatabase } from '@diplowatch/persistence';
import { APPS, repoRoot, startApp, waitForHttp } from './lib/app-processes';
import { ensureAlertSecretKey } from './lib/alert-secret-key';
import { startDemoFeedServer } from './lib/demo-feeds';
import { MissingDependencyError, ensureNats, startEmbeddedPostgres } from './lib/infrastructure';
import { Supervisor } from './lib/supervisor';

const log = (line: string) => process.stdout.write(`[start     ] ${line}\n`);

async function main() {
  const demo = process.argv.includes('--demo');
  const env = parseEnv(startEnvSchema);
  const dataDir = path.resolve(repoRoot, env.DATA_DIR);
  const cleanups: Array<() => Promise<unknown>> = [];
  const apps: Supervisor[] = [];
  let stopping = false;

  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping apps (SIGTERM, they drain in-flight work)…');
    await Promise.all(apps.map((app) => app.stop()));
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    const database = demo ? 'diplowatch_demo' : 'diplowatch';
    let databaseUrl = env.DATABASE_URL;
    if (!databaseUrl) {
      const embedded = await startEmbeddedPostgres(
        path.join(dataDir, 'postgres'),
        env.EMBEDDED_POSTGRES_PORT,
        database,
        log,
      );
      cleanups.push(embedded.stop);
      databaseUrl = embedded.url;
    } else if (demo) {
      // The demo writes to a database of its own, never into the real history.
      const url = new URL(databaseUrl);
      url.pathname = `/${database}`;
      databaseUrl = url.toString();
    }
    const nats = await ensureNats(env.NATS_URL, path.join(dataDir, 'nats'), log);
    if (nats) cleanups.push(async () => nats.kill('SIGTERM'));

    log(`database ${redactUrl(databaseUrl)}`);
    await ensureDatabase(databaseUrl);
    const applied = await applyMigrations({
      databaseUrl,
      migrationsDir: path.join(repoRoot, 'prisma', 'migrations'),
    });
    log(`migrations up to date (${applied.length} applied now)`);

    const namespace = env.DW_NAMESPACE ?? (demo ? 'diplowatch-demo' : 'diplowatch');
    const common = { NATS_URL: env.NATS_URL, DATABASE_URL: databaseUrl, DW_NAMESPACE: namespace };
    const perApp: Record<(typeof APPS)[number], NodeJS.ProcessEnv> = {
      ingester: {},
      classifier: {},
      projector: {},
      // The offline demo holds nothing private, so it reads without a key.
      api: { PORT: String(env.PORT), API_READ_OPEN: demo ? 'true' : 'false' },
      alerter: {},
    };
    const alertSecretKey = ensureAlertSecretKey(dataDir, log);
    perApp.api.ALERT_SECRET_KEY = alertSecretKey;
    perApp.alerter.ALERT_SECRET_KEY = alertSecretKey;
    if (!demo) await ensureFirstApiKey(databaseUrl, dataDir);
    if (demo) {
      const feeds = await startDemoFeedServer(repoRoot);
      cleanups.push(feeds.close);
      log(`demo feeds: ${feeds.urls.join(', ')}`);
      // Only the demo may fetch from this machine's own addresses.
      perApp.ingester = {
        FEED_URLS: feeds.urls.join(','),
        ALLOW_PRIVATE_NETWORKS: 'true',
        POLL_INTERVAL_SECONDS: '60',
      };
    }
    // An app that exits by itself (a crash, a dependency lost at boot) is restarted with a
    // capped backoff; the others keep running. Ctrl-C / SIGTERM stops them all.
    for (const app of APPS) {
      apps.push(new Supervisor(app, () => startApp(app, { ...common, ...perApp[app] }), { log }));
    }
    const apiUrl = `http://127.0.0.1:${env.PORT}`;
    await waitForHttp(`${apiUrl}/health/ready`, 120_000);
    log(`API ready at ${apiUrl}  (try ${apiUrl}/events?country=IDN)`);
    if (demo) await reportDemo(apiUrl);
    log('running; Ctrl-C stops everything');
  } catch (error) {
    if (error instanceof MissingDependencyError) log(error.message);
    else log(`failed: ${(error as Error).stack ?? String(error)}`);
    await shutdown(1);
  }
}

/**
 * On a fresh database, issues an admin key and writes it to a file only the owner can read:
 * keys are secrets and never go to the log.
 */
async function ensureFirstApiKey(databaseUrl: string, dataDir: string) {
  const prisma = createPrismaClient(databaseUrl, 1);
  try {
    if ((await prisma.apiKey.count()) > 0) return;
    const issued = issueApiKey();
    await prisma.apiKey.create({
      data: {
        id: issued.id,
        name: 'first admin key (npm start)',
        hash: issued.hash,
        scopes: ['admin'],
        createdAt: new Date(),
      },
    });
    mkdirSync(dataDir, { recursive: true });
    const file = path.join(dataDir, 'api-key');
    writeFileSync(file, `${issued.key}\n`, { mode: 0o600 });
    log(
      `issued the first API key (admin) into ${path.relative(process.cwd(), file)}; send it as "Authorization: Bearer <key>"`,
    );
  } finally {
    await prisma.$disconnect();
  }
}

/** Waits for the classifier to find the seed article's visit, then prints what was found. */
async function reportDemo(apiUrl: string) {
  const deadline = Date.now() + 90_000;
  let items: Array<Record<string, unknown>> = [];
  let previous = -1;
  while (Date.now() < deadline) {
    const response = await fetch(`${apiUrl}/events?limit=200`);
    items = ((await response.json()) as { items: Array<Record<string, unknown>> }).items;
    if (items.length > 0 && items.length === previous) break;
    previous = items.length;
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
  log(`diplomatic events found: ${items.length}`);
  for (const item of items) {
    const actors = (item.actors as Array<{ name: string }>).map((actor) => actor.name).join(', ');
    log(
      `  ${String(item.eventDate)}  ${String(item.type).padEnd(20)} ${(item.countries as string[]).join('/')}  ${actors}  — ${String(item.summary).slice(0, 80)}`,
    );
    log(`    ${apiUrl}/events/${String(item.id)}`);
  }
}

void main();
