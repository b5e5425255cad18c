export { createMigration, type CreateMigrationOptions, type CreatedMigration } from './create-migration';
export { createDatabase, dropDatabase, ensureDatabase } from './database-admin';
export { databaseNameOf, redactDatabaseUrl, scrubPassword, withDatabaseName } from './database-url';
export { migrationDirectoryName, readMigrationsDirectory } from './migrations-directory';
export { findProjectRoot, projectPaths } from './project-paths';
export {
  applyMigrations,
  diffSql,
  migrationStatus,
  SchemaEngineError,
  type DiffOptions,
  type MigrationStatus,
  type MigrationsTarget,
  type SchemaSource,
} from './schema-engine';
