import pg from 'pg';
import { ReadModelDatabase } from './read-model.database';

describe('ReadModelDatabase', () => {
  let database: ReadModelDatabase;
  let admin: pg.Client;

  beforeAll(async () => {
    database = new ReadModelDatabase({ databaseUrl: process.env.DATABASE_URL!, poolSize: 1 });
    admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
  });

  afterAll(async () => {
    await admin.end();
    await database.onApplicationShutdown();
  });

  it('survives its connection dying between two queries of a transaction, and the next one works', async () => {
    const unheard: Error[] = [];
    const onUncaught = (error: Error) => unheard.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const failed = database.transaction(async (client) => {
        const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        // Postgres drops the connection (a restart, a failover) while no query is running.
        await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
        await new Promise((resolve) => setTimeout(resolve, 300));
        await client.query('SELECT 1');
      });
      await expect(failed).rejects.toThrow();
      expect(unheard).toEqual([]);
      // The broken connection was discarded: the only pooled slot gets a fresh one.
      await expect(
        database.transaction(async (client) => (await client.query('SELECT 1 AS one')).rows[0]),
      ).resolves.toEqual({ one: 1 });
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });

  it('commits with synchronous_commit as configured: on unless set off, for the transaction only', async () => {
    const asynchronous = new ReadModelDatabase({
      databaseUrl: process.env.DATABASE_URL!,
      poolSize: 1,
      synchronousCommit: false,
    });
    const setting = async (db: ReadModelDatabase) =>
      db.transaction(async (client) => (await client.query('SHOW synchronous_commit')).rows[0]);
    try {
      expect(await setting(database)).toEqual({ synchronous_commit: 'on' });
      expect(await setting(asynchronous)).toEqual({ synchronous_commit: 'off' });
      // SET LOCAL: the pooled connection itself keeps the server's setting.
      expect(
        (await (asynchronous as unknown as { pool: pg.Pool }).pool.query('SHOW synchronous_commit')).rows[0],
      ).toEqual({ synchronous_commit: 'on' });
    } finally {
      await asynchronous.onApplicationShutdown();
    }
  });
});
