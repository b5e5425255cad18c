import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type PrismaClient, createPrismaClient } from './prisma-client';

export const PERSISTENCE_OPTIONS = Symbol('PERSISTENCE_OPTIONS');
/** Options of the read-only client (PrismaReadService): a read replica's URL. */
export const READ_PERSISTENCE_OPTIONS = Symbol('READ_PERSISTENCE_OPTIONS');
export type PersistenceOptions = { databaseUrl: string; poolSize: number };

/** One Prisma client per process, closed on shutdown. */
@Injectable()
export class PrismaService implements OnApplicationShutdown {
  private readonly logger = new Logger('Prisma');
  readonly client: PrismaClient;

  constructor(@Inject(PERSISTENCE_OPTIONS) options: PersistenceOptions) {
    this.client = createPrismaClient(options.databaseUrl, options.poolSize);
  }

  /** Waits for the database with capped backoff, so start-up order does not matter. */
  async waitUntilReady(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.$queryRaw`SELECT 1`;
        return;
      } catch (error) {
        const delay = Math.min(10_000, 500 * 2 ** Math.min(attempt, 5));
        this.logger.warn(
          `database not ready (${(error as Error).message.split('\n')[0]}); retrying in ${delay} ms`,
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  async ping(): Promise<{ ok: boolean; detail?: string }> {
    try {
      await this.client.$queryRaw`SELECT 1`;
      return { ok: true };
    } catch (error) {
      return { ok: false, detail: (error as Error).message.split('\n')[0] };
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.$disconnect();
  }
}

/**
 * A second client for queries that only read and can live with replication lag (the API's
 * event, stats and export queries): on a read replica (DATABASE_READ_URL) when one is set.
 * Where none is, an app provides PrismaService under this token instead (`useExisting`).
 */
@Injectable()
export class PrismaReadService extends PrismaService {
  constructor(@Inject(READ_PERSISTENCE_OPTIONS) options: PersistenceOptions) {
    super(options);
  }
}
