import pg from 'pg';
import { databaseNameOf, quoteIdentifier, withDatabaseName } from './database-url';

// SQLSTATEs this module expects and handles.
const INVALID_CATALOG_NAME = '3D000'; // the database in the URL does not exist
const DUPLICATE_DATABASE = '42P04'; // someone else created it first

// Databases every PostgreSQL server has, to connect to while the target does not exist yet.
const MAINTENANCE_DATABASES = ['postgres', 'template1'];

function sqlState(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

async function withClient<T>(databaseUrl: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** Creates `name` on the server `serverUrl` points at (any database of that server will do). */
export async function createDatabase(serverUrl: string, name: string): Promise<void> {
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE ${quoteIdentifier(name)}`));
}

/** Drops `name` if it exists, disconnecting whoever still uses it (PostgreSQL 13+). */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await withClient(serverUrl, (client) =>
    client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`),
  );
}

/**
 * Creates the database the URL points at unless it exists. Returns whether it created it.
 * Safe to run from several processes at once: losing the race counts as "exists".
 */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  // Validates the URL first: pg reads a malformed one as a host name and fails obscurely.
  const name = databaseNameOf(databaseUrl);
  try {
    await withClient(databaseUrl, async () => undefined);
    return false;
  } catch (error) {
    if (sqlState(error) !== INVALID_CATALOG_NAME) throw error;
  }
  let lastError: unknown;
  for (const maintenance of MAINTENANCE_DATABASES) {
    try {
      await createDatabase(withDatabaseName(databaseUrl, maintenance), name);
      return true;
    } catch (error) {
      if (sqlState(error) === DUPLICATE_DATABASE) return false;
      if (sqlState(error) !== INVALID_CATALOG_NAME) throw error;
      lastError = error;
    }
  }
  throw lastError;
}
