import path from 'node:path';
import { migrationDirectoryName, writeMigration } from './migrations-directory';
import { diffSql, type MigrationsTarget } from './schema-engine';

export interface CreateMigrationOptions extends MigrationsTarget {
  /** The Prisma schema the new migration should bring the history up to. */
  schemaFile: string;
  /** Free text; slugified like `prisma migrate dev --name`. */
  name: string;
  /** The directory's timestamp; passed in for tests. */
  now?: Date;
}

export interface CreatedMigration {
  /** `<YYYYMMDDHHMMSS>_<name>` */
  directoryName: string;
  scriptPath: string;
  sql: string;
}

/**
 * `prisma migrate dev --create-only`: replays the history into a shadow database, diffs it
 * against the schema file and writes the difference as the next migration. Returns `null`, and
 * writes nothing, when the migrations already produce the schema. Applies nothing.
 */
export async function createMigration(options: CreateMigrationOptions): Promise<CreatedMigration | null> {
  // Validated before the (slower) diff, so a bad name fails at once.
  const directoryName = migrationDirectoryName(options.name, options.now ?? new Date());
  const sql = await diffSql({
    databaseUrl: options.databaseUrl,
    from: { migrationsDir: options.migrationsDir },
    toSchemaFile: options.schemaFile,
  });
  if (sql === null) return null;
  const scriptPath = await writeMigration(path.resolve(options.migrationsDir), directoryName, sql);
  return { directoryName, scriptPath, sql };
}
