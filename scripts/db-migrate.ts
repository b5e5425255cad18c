/**
 * `npm run db:migrate` — `prisma migrate deploy` that works offline: applies prisma/migrations
 * to DATABASE_URL (created if missing), recording them in `_prisma_migrations`.
 * Exits 1 with the reason when anything fails. Never prints the password.
 */
import { z } from 'zod';
import { parseEnv } from '@diplowatch/config';
// The migrations module alone: this script needs neither the Prisma client nor Nest.
import {
  applyMigrations,
  ensureDatabase,
  projectPaths,
  redactDatabaseUrl,
  scrubPassword,
} from '../libs/persistence/src/migrations';

const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/diplowatch';
const log = (line: string) => process.stdout.write(`[db:migrate] ${line}\n`);

async function migrate(databaseUrl: string): Promise<void> {
  const { root, migrationsDir } = projectPaths();
  const created = await ensureDatabase(databaseUrl);
  log(`database ${redactDatabaseUrl(databaseUrl)}${created ? ' (created)' : ''}`);
  log(`migrations from ${migrationsDir.replace(`${root}/`, '')}`);
  const applied = await applyMigrations({ databaseUrl, migrationsDir });
  for (const name of applied) log(`applied ${name}`);
  log(applied.length === 0 ? 'no pending migrations' : `${applied.length} applied; database up to date`);
}

async function main(): Promise<void> {
  let databaseUrl = '';
  try {
    databaseUrl = parseEnv(z.object({ DATABASE_URL: z.string().default(DEFAULT_DATABASE_URL) })).DATABASE_URL;
    await migrate(databaseUrl);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`[db:migrate] failed: ${scrubPassword(message, databaseUrl)}\n`);
    process.exitCode = 1;
  }
}

void main();
