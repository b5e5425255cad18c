import 'reflect-metadata';
import { type INestApplication, Logger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

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
  const app = await NestFactory.create(module as never, { logger: logLevelsFrom(options.logLevel) });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await options.configure?.(app);
  await app.listen(options.port, options.host ?? '127.0.0.1');
  const url = await app.getUrl();
  logger.log(`${options.name} up; health at ${url.replace('[::1]', 'localhost')}/health/ready`);
  const timeout = options.shutdownTimeoutMs ?? 25_000;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        logger.error(`shutdown took longer than ${timeout} ms; exiting`);
        process.exit(1);
      }, timeout).unref();
    });
  }
  return app;
}

/** For main.ts: a failed boot (bad config, unreachable database…) exits non-zero with the reason. */
export function runMain(name: string, main: () => Promise<unknown>): void {
  main().catch((error: unknown) => {
    new Logger(name).fatal((error as Error).message ?? String(error));
    process.exit(1);
  });
}
