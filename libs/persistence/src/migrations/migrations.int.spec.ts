import { createHash } from 'node:crypto';
import { cp, mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../testing/src/database';
import {
  applyMigrations,
  createMigration,
  diffSql,
  migrationStatus,
  projectPaths,
  SchemaEngineError,
} from '.';
import { MigrationAdapterFactory } from './migration-adapter-factory';

const { schemaFile, migrationsDir } = projectPaths();

async function migrationNames(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

async function query<T extends pg.QueryResultRow>(databaseUrl: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

// Each case replays the whole migration chain; generous on a loaded 2-core machine.
jest.setTimeout(60_000);

describe('prisma/migrations', () => {
  let database: TestDatabase;
  let firstRun: string[];

  beforeAll(async () => {
    database = await createTestDatabase({ migrate: false });
    firstRun = await applyMigrations({ databaseUrl: database.url, migrationsDir });
  });
  afterAll(() => database?.drop());

  it('produce exactly schema.prisma (else: npm run db:migration:create -- <name>)', async () => {
    await expect(
      diffSql({ databaseUrl: database.url, from: { migrationsDir }, toSchemaFile: schemaFile }),
    ).resolves.toBeNull();
  });

  it('leave an applied database matching schema.prisma', async () => {
    await expect(
      diffSql({ databaseUrl: database.url, from: 'database', toSchemaFile: schemaFile }),
    ).resolves.toBeNull();
  });

  it('are all applied, in order, on an empty database', async () => {
    expect(firstRun).toEqual(await migrationNames(migrationsDir));
  });

  it('are recorded in _prisma_migrations as `prisma migrate deploy` records them', async () => {
    const rows = await query<{
      migration_name: string;
      checksum: string;
      finished: boolean;
      rolled_back: boolean;
      applied_steps_count: number;
    }>(
      database.url,
      `SELECT migration_name, checksum, finished_at IS NOT NULL AS finished,
              rolled_back_at IS NOT NULL AS rolled_back, applied_steps_count
         FROM _prisma_migrations ORDER BY migration_name`,
    );
    const expected = await Promise.all(
      (await migrationNames(migrationsDir)).map(async (name) => ({
        migration_name: name,
        // The checksum migrate deploy stores and later compares: SHA-256 of the script.
        checksum: createHash('sha256')
          .update(await readFile(path.join(migrationsDir, name, 'migration.sql')))
          .digest('hex'),
        finished: true,
        rolled_back: false,
        applied_steps_count: 1,
      })),
    );
    expect(rows).toEqual(expected);
  });

  it('are not applied again', async () => {
    await expect(applyMigrations({ databaseUrl: database.url, migrationsDir })).resolves.toEqual([]);
    const rows = await query<{ count: number }>(
      database.url,
      'SELECT count(*)::int AS count FROM _prisma_migrations',
    );
    expect(rows).toEqual([{ count: firstRun.length }]);
    await expect(migrationStatus({ databaseUrl: database.url, migrationsDir })).resolves.toMatchObject({
      upToDate: true,
      pending: [],
    });
  });

  it('are what db:migration:create writes for the schema, and then it finds no changes', async () => {
    const scratch = await mkdtemp(path.join(tmpdir(), 'diplowatch-migrations-'));
    try {
      const fresh = path.join(scratch, 'fresh');
      const created = await createMigration({
        databaseUrl: database.url,
        migrationsDir: fresh,
        schemaFile,
        name: 'init',
        now: new Date('2026-01-02T03:04:05Z'),
      });
      expect(created?.directoryName).toBe('20260102030405_init');
      expect(await readFile(path.join(fresh, 'migration_lock.toml'), 'utf8')).toBe(
        await readFile(path.join(migrationsDir, 'migration_lock.toml'), 'utf8'),
      );
      // Holds while the history is the single init migration; later ones are diffs.
      const [first] = await migrationNames(migrationsDir);
      if ((await migrationNames(migrationsDir)).length === 1) {
        expect(created?.sql).toBe(await readFile(path.join(migrationsDir, first!, 'migration.sql'), 'utf8'));
      }

      const copy = path.join(scratch, 'copy');
      await cp(migrationsDir, copy, { recursive: true });
      await expect(
        createMigration({ databaseUrl: database.url, migrationsDir: copy, schemaFile, name: 'nothing' }),
      ).resolves.toBeNull();
      expect(await migrationNames(copy)).toEqual(await migrationNames(migrationsDir));
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});

describe('applyMigrations with a failing migration', () => {
  let database: TestDatabase;
  let scratch: string;

  beforeAll(async () => {
    database = await createTestDatabase({ migrate: false });
    scratch = await mkdtemp(path.join(tmpdir(), 'diplowatch-migrations-'));
    await writeFile(path.join(scratch, 'migration_lock.toml'), 'provider = "postgresql"\n');
    await mkdir(path.join(scratch, '20260101000000_fails'));
    // A semicolon inside a string would break a naive split into statements.
    await writeFile(
      path.join(scratch, '20260101000000_fails', 'migration.sql'),
      "CREATE TABLE notes (body TEXT);\nINSERT INTO notes VALUES ('a; b');\nSELECT 1 / 0;\n",
    );
  });
  afterAll(async () => {
    await database?.drop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('rolls the whole script back and reports the database error', async () => {
    await expect(applyMigrations({ databaseUrl: database.url, migrationsDir: scratch })).rejects.toThrow(
      /division by zero/,
    );
    const tables = await query(database.url, "SELECT 1 FROM pg_tables WHERE tablename = 'notes'");
    expect(tables).toHaveLength(0);
  });

  it('then refuses to deploy until the failure is resolved (P3009)', async () => {
    const failure = await applyMigrations({ databaseUrl: database.url, migrationsDir: scratch }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(SchemaEngineError);
    expect((failure as SchemaEngineError).code).toBe('P3009');
  });
});

describe('MigrationAdapterFactory', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ migrate: false });
  });
  afterAll(() => database?.drop());

  it('reads "char" columns, which the schema engine selects from the catalogs', async () => {
    const factory = new MigrationAdapterFactory(database.url);
    try {
      const connection = await factory.connect();
      const result = await connection.queryRaw({ sql: `SELECT 'r'::"char" AS kind`, args: [], argTypes: [] });
      expect(result.rows).toEqual([['r']]);
    } finally {
      await factory.close();
    }
  });

  it('drops the shadow databases it creates, also those never disposed', async () => {
    const factory = new MigrationAdapterFactory(database.url);
    const names: string[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const shadow = await factory.connectToShadowDb();
        const { rows } = await shadow.queryRaw({ sql: 'SELECT current_database()', args: [], argTypes: [] });
        names.push(String(rows[0]![0]));
        if (i === 0) await shadow.dispose();
      }
    } finally {
      await factory.close();
    }
    expect(names).toHaveLength(2);
    const left = await query(
      database.url,
      `SELECT datname FROM pg_database WHERE datname IN ('${names.join("','")}')`,
    );
    expect(left).toEqual([]);
  });
});
