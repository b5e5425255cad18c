import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { bindMigrationAwareSqlAdapterFactory, type ErrorRegistry } from '@prisma/driver-adapter-utils';
import type { DiffTarget, SchemaEngine, SchemaFilter } from '@prisma/schema-engine-wasm';
import { scrubPassword } from './database-url';
import { MigrationAdapterFactory } from './migration-adapter-factory';
import { migrationLockToml, readMigrationsDirectory } from './migrations-directory';
import { forgetSchemaEngine, loadSchemaEngine } from './wasm-engine';

/**
 * Prisma Migrate without the Prisma CLI: Prisma's own schema engine, compiled to WebAssembly
 * (`@prisma/schema-engine-wasm`), talking to PostgreSQL through `@prisma/adapter-pg`. The CLI
 * would download a native engine at start-up, which fails offline; this reads and writes the
 * same `prisma/migrations` layout and `_prisma_migrations` table, so `prisma migrate deploy`
 * stays interchangeable with it.
 */

// Everything in the database is ours; nothing is managed outside the Prisma schema.
const NO_FILTER: SchemaFilter = { externalTables: [], externalEnums: [] };

/** A failure reported by the schema engine, e.g. code P3009 (a failed migration blocks deploys). */
export class SchemaEngineError extends Error {
  override readonly name = 'SchemaEngineError';

  constructor(
    message: string,
    /** Prisma's error code (https://pris.ly/d/prisma-errors) when the engine gives one. */
    readonly code?: string,
  ) {
    super(code ? `${code}: ${message}` : message);
  }
}

export interface MigrationsTarget {
  databaseUrl: string;
  /** A directory in Prisma's layout: `<timestamp>_<name>/migration.sql`, `migration_lock.toml`. */
  migrationsDir: string;
}

/**
 * `prisma migrate deploy`: applies the migrations not yet recorded in `_prisma_migrations`,
 * in name order, each in one implicit transaction. Concurrent callers queue on the engine's
 * advisory lock. Returns the names applied by this call (empty when up to date).
 */
export async function applyMigrations({ databaseUrl, migrationsDir }: MigrationsTarget): Promise<string[]> {
  const migrationsList = await readMigrationsDirectory(migrationsDir);
  return withSchemaEngine(databaseUrl, async (engine) => {
    const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList, filters: NO_FILTER });
    return appliedMigrationNames;
  });
}

export interface MigrationStatus {
  /** In the directory, not yet applied. */
  pending: string[];
  /** Applied according to the database, but missing from the directory. */
  unknownToDirectory: string[];
  /** Started and never finished: deploys refuse to run until resolved (P3009). */
  failed: string[];
  /** Changed on disk after they were applied (checksum differs). */
  edited: string[];
  upToDate: boolean;
}

/** `prisma migrate status`: compares the directory with `_prisma_migrations`, read-only. */
export async function migrationStatus({
  databaseUrl,
  migrationsDir,
}: MigrationsTarget): Promise<MigrationStatus> {
  const migrationsList = await readMigrationsDirectory(migrationsDir);
  const diagnosis = await withSchemaEngine(databaseUrl, (engine) =>
    engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: false, filters: NO_FILTER }),
  );
  const history = diagnosis.history;
  const pending =
    history && history.diagnostic !== 'migrationsDirectoryIsBehind' ? history.unappliedMigrationNames : [];
  const unknownToDirectory =
    history && history.diagnostic !== 'databaseIsBehind' ? history.unpersistedMigrationNames : [];
  return {
    pending,
    unknownToDirectory,
    failed: diagnosis.failedMigrationNames,
    edited: diagnosis.editedMigrationNames,
    upToDate: history === null && diagnosis.failedMigrationNames.length === 0,
  };
}

/** What a diff starts from. */
export type SchemaSource =
  /** Nothing at all. */
  | 'empty'
  /** What the migrations produce, replayed into a temporary shadow database. */
  | { migrationsDir: string }
  /** The database at `databaseUrl`, as it is now. */
  | 'database';

export interface DiffOptions {
  /**
   * The engine always opens this connection, even to diff files; shadow databases are
   * created (and dropped) on the same server.
   */
  databaseUrl: string;
  from: SchemaSource;
  /** The Prisma schema the SQL should lead to. */
  toSchemaFile: string;
}

/**
 * `prisma migrate diff --script`: the SQL that takes `from` to the schema file, or `null` when
 * they already match.
 */
export async function diffSql({ databaseUrl, from, toSchemaFile }: DiffOptions): Promise<string | null> {
  const schemaPath = path.resolve(toSchemaFile);
  const schemaFiles = [{ path: schemaPath, content: await readFile(schemaPath, 'utf8') }];
  const source = await diffSource(from, schemaFiles, path.dirname(schemaPath));
  const result = await withSchemaEngine(databaseUrl, (engine) =>
    engine.diff({
      from: source,
      to: { tag: 'schemaDatamodel', files: schemaFiles },
      script: true,
      // Asks for exit code 2 when there is a difference: the script of an empty diff is a comment.
      exitCode: true,
      filters: NO_FILTER,
    }),
  );
  return result.exitCode === 2 ? (result.stdout ?? '') : null;
}

async function diffSource(
  from: SchemaSource,
  schemaFiles: Array<{ path: string; content: string }>,
  configDir: string,
): Promise<DiffTarget> {
  if (from === 'empty') return { tag: 'empty' };
  // The engine reaches the live database through the adapter; the schema file only supplies
  // the datasource block (provider), not a URL.
  if (from === 'database') return { tag: 'schemaDatasource', files: schemaFiles, configDir };
  const migrations = await readMigrationsDirectory(from.migrationsDir);
  // A history not started yet has no lock file; the engine needs one to know the provider,
  // and this module only speaks PostgreSQL.
  migrations.lockfile.content ??= migrationLockToml();
  return { tag: 'migrations', ...migrations };
}

/** Runs `use` with a fresh engine on `databaseUrl`, then frees it and closes every connection. */
async function withSchemaEngine<T>(
  databaseUrl: string,
  use: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const bindings = await loadSchemaEngine();
  const factory = new MigrationAdapterFactory(databaseUrl);
  // Errors thrown on the JS side (pg, our factory) reach the engine as "External error id#N";
  // the registry keeps the original so the message can show it.
  const adapter = bindMigrationAwareSqlAdapterFactory(factory);
  // The engine's own timers do not keep the process alive (see wasm-engine.ts): this does,
  // until the engine is done, so a script cannot exit halfway through a migration.
  const keepAlive = setInterval(() => undefined, 60_000);
  let engine: SchemaEngine | undefined;
  try {
    // The log callback receives the engine's tracing (JSON lines at INFO and up): dropped, as
    // the Prisma CLI does unless debugging; failures come back as rejected promises instead.
    engine = await bindings.SchemaEngine.new({ datamodels: undefined }, () => undefined, adapter);
    return await use(engine);
  } catch (error) {
    // A trap (Rust panic) leaves the WebAssembly instance unusable: load a fresh one next time.
    if (error instanceof Error && error.name === 'RuntimeError') forgetSchemaEngine();
    throw toSchemaEngineError(error, adapter.errorRegistry, databaseUrl);
  } finally {
    engine?.free();
    await factory.close();
    clearInterval(keepAlive);
  }
}

const EXTERNAL_ERROR = /External error id#(\d+)/g;
// Engine errors end with a tracing span list ("   0: schema_engine_wasm::…") useful only to
// engine developers.
const SPAN_TRACE = /\n\s+0: [\s\S]*$/;

function toSchemaEngineError(
  error: unknown,
  registry: ErrorRegistry,
  databaseUrl: string,
): SchemaEngineError {
  const raw = error instanceof Error ? error.message : String(error);
  const message = raw
    .replace(EXTERNAL_ERROR, (text, id: string) => {
      const original = registry.consumeError(Number(id))?.error;
      return original instanceof Error ? original.message : text;
    })
    .replace(SPAN_TRACE, '')
    .trim();
  const code =
    error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  const wrapped = new SchemaEngineError(scrubPassword(message, databaseUrl), code);
  wrapped.cause = error;
  return wrapped;
}
