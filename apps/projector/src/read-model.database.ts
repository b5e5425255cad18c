import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { PERSISTENCE_OPTIONS, type PersistenceOptions } from '@diplowatch/persistence';

/**
 * The projector's connection pool. The writer talks to Postgres with `pg` directly rather than
 * through Prisma's raw queries: with a batch's rows in one large parameter, Prisma added about
 * 3 ms per statement (measured: 240 statements with a 200 KB parameter, 1.9 s through Prisma
 * against 1.1 s through pg), which was most of the projector's overhead over a raw baseline.
 * The schema is still Prisma's (prisma/schema.prisma and its migrations).
 */
export type ReadModelDatabaseOptions = PersistenceOptions & {
  /**
   * `false`: projection transactions commit with `synchronous_commit = off` (COMMIT returns
   * before its WAL is flushed). Not the default: see docs/read-models.md, "Commit durability",
   * for what a crash of Postgres could then lose and why that is not replayed by itself.
   */
  synchronousCommit?: boolean;
};

@Injectable()
export class ReadModelDatabase implements OnApplicationShutdown {
  private readonly logger = new Logger('ReadModelDatabase');
  private readonly pool: pg.Pool;
  private readonly begin: string;

  constructor(@Inject(PERSISTENCE_OPTIONS) options: ReadModelDatabaseOptions) {
    this.pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize });
    // One round trip either way (a simple query may hold several statements).
    this.begin = options.synchronousCommit === false ? 'BEGIN; SET LOCAL synchronous_commit = off' : 'BEGIN';
    // An idle client losing its connection must not crash the process; the next query reconnects.
    this.pool.on('error', (error) => this.logger.warn(`idle connection failed: ${error.message}`));
  }

  /** Runs `work` in one transaction: committed if it resolves, rolled back if it throws. */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // The pool listens for errors only on idle clients: a connection lost between two queries of
    // a transaction emits 'error' on the checked-out client, which unheard kills the process
    // (seen in the long chaos run when Postgres restarted). The next query fails instead, the
    // transaction is retried, and the broken client is discarded rather than pooled again.
    let lost: Error | undefined;
    const onError = (error: Error) => {
      lost = error;
      this.logger.warn(`connection lost in a transaction: ${error.message}`);
    };
    client.on('error', onError);
    try {
      await client.query(this.begin);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.off('error', onError);
      client.release(lost);
    }
  }

  /** Waits for the database with capped backoff, so start-up order does not matter. */
  async waitUntilReady(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.pool.query('SELECT 1');
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
      await this.pool.query('SELECT 1');
      return { ok: true };
    } catch (error) {
      return { ok: false, detail: (error as Error).message.split('\n')[0] };
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
