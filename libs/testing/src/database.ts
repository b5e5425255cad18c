import { randomBytes } from 'node:crypto';
// Relative imports: Jest's global setup uses this file too, and path aliases do not apply there.
import {
  applyMigrations,
  createDatabase,
  dropDatabase,
  projectPaths,
  withDatabaseName,
} from '../../persistence/src/migrations';

const DEFAULT_ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
const NAME_PREFIX = 'diplowatch_test_';

/** A connection to any database of the test server (TEST_DATABASE_ADMIN_URL); test databases are created beside it. */
export function testDatabaseAdminUrl(): string {
  return process.env.TEST_DATABASE_ADMIN_URL || DEFAULT_ADMIN_URL;
}

export interface TestDatabase {
  /** `diplowatch_test_<random hex>` */
  name: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * A new database with a unique name, by default with prisma/migrations applied (every table,
 * no rows); `{ migrate: false }` leaves it completely empty. Drop it when done: `db.drop()`.
 */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = testDatabaseAdminUrl();
  const name = `${NAME_PREFIX}${randomBytes(6).toString('hex')}`;
  await createDatabase(adminUrl, name);
  const url = withDatabaseName(adminUrl, name);
  const drop = () => dropTestDatabase(name);
  if (options.migrate ?? true) {
    try {
      await applyMigrations({ databaseUrl: url, migrationsDir: projectPaths().migrationsDir });
    } catch (error) {
      await drop().catch(() => undefined);
      throw error;
    }
  }
  return { name, url, drop };
}

/** Drops a database made by `createTestDatabase`, disconnecting its sessions. Other names are refused. */
export async function dropTestDatabase(name: string): Promise<void> {
  // A guard against a mix-up (say, a DATABASE_URL's name) dropping real data.
  if (!name.startsWith(NAME_PREFIX)) throw new Error(`refusing to drop "${name}": not a test database`);
  await dropDatabase(testDatabaseAdminUrl(), name);
}
