import 'reflect-metadata';
import http from 'node:http';
import { type INestApplication, Logger, type LogLevel, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MetricsModule, MetricsService } from './metrics';

const levels: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

export function logLevelsFrom(level: string): LogLevel[] {
  const index = levels.indexOf(level as LogLevel);
  return levels.slice(0, index < 0 ? 4 : index + 1);
}

export type BootOptions = {
  name: string;
  port: number;
  host?: string;
  logLevel: string;
  /** How long SIGTERM may take to drain in-flight work before the process exits anyway. */
  shutdownTimeoutMs?: number;
  configure?: (app: INestApplication) => void | Promise<void>;
};

/**
 * Starts one diplowatch app: Nest with shutdown hooks (SIGTERM/SIGINT drain consumers and
 * the NATS connection), an HTTP listener for health (and the API itself), and a hard stop
 * if draining hangs.
 */
export async function bootApp(module: unknown, options: BootOptions): Promise<INestApplication> {
  const logger = new Logger(options.name);
  const host = options.host ?? '127.0.0.1';
  // Start-up waits for NATS and Postgres (with backoff); meanwhile the port already answers
  // health probes, saying what it waits for, so an orchestrator can tell "starting" from "dead".
  const starting = options.port > 0 ? await startingHealthServer(options.port, host, options.name) : null;
  const app = await NestFactory.create(withMetrics(module, options.name), {
    logger: logLevelsFrom(options.logLevel),
  });
  app.use(app.get(MetricsService).httpMiddleware());
  await options.configure?.(app);
  await app.init();
  await starting?.close();
  await app.listen(options.port, host);
  const url = await app.getUrl();
  logger.log(`${options.name} up; health at ${url.replace('[::1]', 'localhost')}/health/ready`);
  const timeout = options.shutdownTimeoutMs ?? 25_000;
  // Our own signal handling rather than Nest's enableShutdownHooks: app.close() runs every
  // shutdown hook (consumers stop and ack, then NATS drains), and the exit code then tells a
  // clean drain (0) from one that overran its bound (1).
  let closing = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (closing) return;
      closing = true;
      logger.log(`${signal}: draining in-flight work`);
      setTimeout(() => {
        logger.error(`shutdown took longer than ${timeout} ms; exiting`);
        process.exit(1);
      }, timeout).unref();
      app.close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error(`shutdown failed: ${(error as Error).message}`);
          process.exit(1);
        },
      );
    });
  }
  return app;
}

/** Answers /health/live (200) and /health/ready (503, "starting") until the app takes over the port. */
async function startingHealthServer(port: number, host: string, name: string) {
  const server = http.createServer((req, res) => {
    const live = req.url === '/health/live';
    res.writeHead(live ? 200 : 503, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(
        live
          ? { status: 'ok' }
          : {
              status: 'starting',
              detail: `${name} is waiting for its dependencies (NATS, Postgres); retrying with backoff`,
            },
      ),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Every app gets GET /metrics and Prometheus metrics (events, lag, latencies, errors). */
function withMetrics(module: unknown, name: string) {
  @Module({ imports: [MetricsModule.forApp(name), module as Type] })
  class AppWithMetrics {}
  return AppWithMetrics;
}

/** For main.ts: a failed boot (bad config, unreachable database…) exits non-zero with the reason. */
export function runMain(name: string, main: () => Promise<unknown>): void {
  main().catch((error: unknown) => {
    new Logger(name).fatal((error as Error).message ?? String(error));
    process.exit(1);
  });
}
