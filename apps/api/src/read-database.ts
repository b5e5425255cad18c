import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { type PersistenceOptions, type Prisma } from '@diplowatch/persistence';

/**
 * The pool the query endpoints (events, stats, export) read through: `pg` directly, on the
 * read replica when DATABASE_READ_URL is set (the API module gives it that URL), else on
 * DATABASE_URL. The SQL is still built with Prisma's `sql` tag (bind parameters only). Why
 * not Prisma's $queryRaw: it costs CPU in the API process on every request (the driver
 * adapter's row conversion, the query plumbing), and with 8 requests in flight on two cores a
 * request's latency is mostly the CPU of all of them.
 *
 * Values as `pg` returns them: timestamptz as Date, int4 and float8 as numbers, int8 as a
 * string, json as parsed values, arrays as arrays; dates leave SQL formatted (to_char).
 */
export class ReadDatabase implements OnApplicationShutdown {
  private readonly logger = new Logger('ReadDatabase');
  private readonly pool: pg.Pool;

  constructor(options: PersistenceOptions) {
    this.pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    this.pool.on('error', (error) => this.logger.warn(`idle connection failed: ${error.message}`));
  }

  async query<T extends object>(statement: Prisma.Sql): Promise<T[]> {
    const result = await this.pool.query<T>(statement.text, statement.values);
    return result.rows;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
