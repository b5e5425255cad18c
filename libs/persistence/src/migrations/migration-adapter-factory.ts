import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import type {
  ConnectionInfo,
  IsolationLevel,
  SqlDriverAdapter,
  SqlMigrationAwareDriverAdapterFactory,
  SqlQuery,
  SqlResultSet,
  Transaction,
} from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { createDatabase, dropDatabase } from './database-admin';
import { withDatabaseName } from './database-url';

// Postgres's internal one-byte "char" type, used by catalog columns the schema engine reads
// (pg_constraint.contype, pg_class.relkind…). @prisma/adapter-pg 7.10 has no mapping for it
// and fails the whole query with UnsupportedNativeDataType; its values arrive as strings, so
// calling the column text is accurate.
const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

function labelCharColumnsAsText(result: unknown): unknown {
  // A multi-statement simple query yields an array of results.
  for (const single of Array.isArray(result) ? (result as unknown[]) : [result]) {
    const fields = (single as { fields?: unknown } | null | undefined)?.fields;
    if (!Array.isArray(fields)) continue;
    for (const field of fields as pg.FieldDef[]) {
      if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
    }
  }
  return result;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null | undefined)?.then === 'function';
}

type QueryFunction = (this: pg.Client, ...args: unknown[]) => unknown;
// Always applied to a client instance, below.
// eslint-disable-next-line @typescript-eslint/unbound-method
const baseQuery = pg.Client.prototype.query as QueryFunction;

/** A pg client whose results label "char" columns as text (see above). */
class CatalogReadingClient extends pg.Client {}
// pg's overloaded query() cannot be restated as one typed override, hence the prototype.
(CatalogReadingClient.prototype as unknown as { query: QueryFunction }).query = function query(...args) {
  // pg-pool calls query(config, values, callback); the adapter's transactions await a promise.
  const last = args.length - 1;
  const callback = args[last];
  if (typeof callback === 'function') {
    args[last] = (error: Error | null, result: unknown) =>
      (callback as (error: Error | null, result: unknown) => void)(error, labelCharColumnsAsText(result));
    return baseQuery.apply(this, args);
  }
  const returned = baseQuery.apply(this, args);
  // Duck-typed: pg can be given another Promise implementation.
  return isThenable(returned) ? returned.then(labelCharColumnsAsText) : returned;
};

type PgAdapter = Awaited<ReturnType<PrismaPg['connect']>>;

/**
 * @prisma/adapter-pg's connection with two changes the schema engine needs:
 * - `executeScript` (how the engine runs a migration.sql) sends the script as one simple-protocol
 *   query, as the native engine does, instead of splitting it on every ";" (which breaks on
 *   semicolons inside strings or function bodies). PostgreSQL then runs the whole script in one
 *   implicit transaction, so a failing migration leaves nothing half-applied.
 * - `dispose` also ends the pool behind it (and drops a shadow database).
 */
class MigrationConnection implements SqlDriverAdapter {
  readonly provider: PgAdapter['provider'];
  readonly adapterName: string;

  constructor(
    private readonly inner: PgAdapter,
    private readonly close: () => Promise<void>,
  ) {
    this.provider = inner.provider;
    this.adapterName = inner.adapterName;
  }

  queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    return this.inner.queryRaw(query);
  }

  executeRaw(query: SqlQuery): Promise<number> {
    return this.inner.executeRaw(query);
  }

  async executeScript(script: string): Promise<void> {
    // Without parameters pg uses the simple query protocol, which accepts many statements.
    await this.inner.executeRaw({ sql: script, args: [], argTypes: [] });
  }

  startTransaction(isolationLevel?: IsolationLevel): Promise<Transaction> {
    return this.inner.startTransaction(isolationLevel);
  }

  getConnectionInfo(): ConnectionInfo {
    return this.inner.getConnectionInfo();
  }

  dispose(): Promise<void> {
    return this.close();
  }
}

/**
 * The driver-adapter factory the WebAssembly schema engine runs on. Besides the main
 * connection it creates shadow databases (needed to diff from a migrations directory) on the
 * same server, and `close()` releases everything the engine did not dispose itself.
 */
export class MigrationAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres' as const;
  readonly adapterName = '@prisma/adapter-pg';
  private readonly openConnections = new Set<() => Promise<void>>();

  constructor(private readonly databaseUrl: string) {}

  connect(): Promise<SqlDriverAdapter> {
    return this.open(this.databaseUrl, async () => undefined);
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const name = `prisma_migrate_shadow_db_${randomUUID().replace(/-/g, '')}`;
    await createDatabase(this.databaseUrl, name);
    const drop = () => dropDatabase(this.databaseUrl, name);
    try {
      return await this.open(withDatabaseName(this.databaseUrl, name), drop);
    } catch (error) {
      await drop().catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    const closers = [...this.openConnections];
    const results = await Promise.allSettled(closers.map((close) => close()));
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
  }

  private async open(url: string, afterClose: () => Promise<void>): Promise<SqlDriverAdapter> {
    const pool = new pg.Pool({
      connectionString: url,
      Client: CatalogReadingClient,
      // One session: `applyMigrations` takes a session-level advisory lock (so concurrent
      // deploys queue up) and must keep it for as long as it works; the engine runs one
      // statement at a time anyway. No idle eviction, for the same reason.
      max: 1,
      idleTimeoutMillis: 0,
      // A query waiting for the only connection means a bug; fail instead of hanging.
      connectionTimeoutMillis: 60_000,
    });
    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= (async () => {
        this.openConnections.delete(close);
        await pool.end();
        await afterClose();
      })();
      return closing;
    };
    this.openConnections.add(close);
    try {
      // The adapter only borrows an external pool; `close` ends it.
      return new MigrationConnection(await new PrismaPg(pool).connect(), close);
    } catch (error) {
      await close().catch(() => undefined);
      throw error;
    }
  }
}
