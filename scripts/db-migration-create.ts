/**
 * `npm run db:migration:create -- <name>` — `prisma migrate dev --create-only` that works
 * offline: replays prisma/migrations into a temporary shadow database on DATABASE_URL's server,
 * diffs it against prisma/schema.prisma and writes the difference as
 * prisma/migrations/<YYYYMMDDHHMMSS>_<name>/migration.sql. Applies nothing: review the SQL,
 * then run `npm run db:migrate`. Prints "no changes" and writes nothing when there is no diff.
 */
import path from 'node:path';
import { z } from 'zod';
import { parseEnv } from '@diplowatch/config';
// The migrations module alone: this script needs neither the Prisma client nor Nest.
import {
  createMigration,
  ensureDatabase,
  projectPaths,
  redactDatabaseUrl,
  scrubPassword,
} from '../libs/persistence/src/migrations';

const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/diplowatch';
const log = (line: string) => process.stdout.write(`[db:migration:create] ${line}\n`);

async function create(name: string, databaseUrl: string): Promise<void> {
  const { root, schemaFile, migrationsDir } = projectPaths();
  // The engine needs a live connection even to diff files: like `migrate dev`, create the
  // development database if it is missing. The shadow database is created and dropped beside it.
  await ensureDatabase(databaseUrl);
  log(`shadow databases on ${redactDatabaseUrl(databaseUrl)}`);
  const created = await createMigration({ databaseUrl, migrationsDir, schemaFile, name });
  if (created === null) {
    log(
      `no changes: ${path.relative(root, migrationsDir)} already produce ${path.relative(root, schemaFile)}`,
    );
    return;
  }
  log(`created ${path.relative(root, created.scriptPath)}`);
  log('review it, then apply it with: npm run db:migrate');
}

async function main(): Promise<void> {
  let databaseUrl = '';
  try {
    const name = process.argv.slice(2).join(' ').trim();
    if (!name)
      throw new Error('usage: npm run db:migration:create -- <name>   (e.g. add_alert_subscriptions)');
    databaseUrl = parseEnv(z.object({ DATABASE_URL: z.string().default(DEFAULT_DATABASE_URL) })).DATABASE_URL;
    await create(name, databaseUrl);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`[db:migration:create] failed: ${scrubPassword(message, databaseUrl)}\n`);
    process.exitCode = 1;
  }
}

void main();
