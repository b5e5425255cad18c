import { type ClientBase } from 'pg';

/**
 * Every table the projector writes, parents first. A rebuild recreates exactly these, moves
 * them into `public` in one transaction and moves the old ones out; everything else in the
 * database (API keys, subscriptions, feeds, migrations) stays where it is.
 */
export const READ_MODEL_TABLES = [
  'articles',
  'article_feeds',
  'diplomatic_events',
  'event_search_documents',
  'diplomatic_event_sources',
  'diplomatic_event_versions',
  'diplomatic_event_aliases',
  'diplomatic_event_counts_daily',
  'diplomatic_event_country_counts_daily',
  'projection_checkpoints',
] as const;

const LIVE_SCHEMA = 'public';
const identifier = /^[a-z_][a-z0-9_]*$/;

/** Schema names are interpolated into DDL: only plain lower-case identifiers are accepted. */
export function assertSchemaName(name: string): string {
  if (!identifier.test(name) || name.length > 63) throw new Error(`not a plain schema name: "${name}"`);
  return name;
}

/** A connection URL whose sessions resolve unqualified table names in `schema` only. */
export function withSearchPath(databaseUrl: string, schema: string): string {
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${assertSchemaName(schema)}`);
  return url.toString();
}

type Constraint = { table: string; name: string; definition: string; type: string; index: string | null };

/** Runs `work` with catalog output schema-qualified (nothing but pg_catalog on the search path). */
async function qualified<T>(client: ClientBase, work: () => Promise<T>): Promise<T> {
  const { rows } = await client.query<{ search_path: string }>('SHOW search_path');
  await client.query('SET search_path = pg_catalog');
  try {
    return await work();
  } finally {
    await client.query(`SELECT set_config('search_path', $1, false)`, [rows[0]!.search_path]);
  }
}

/**
 * Creates `schema` with empty copies of the live read-model tables: same columns (generated
 * ones included), defaults, checks, and the same constraint and index names as the live ones
 * (the indexes another engineer adds by hand in a migration come along too), foreign keys
 * pointing inside the new schema.
 */
export async function createReadModelSchema(client: ClientBase, schema: string): Promise<void> {
  assertSchemaName(schema);
  await qualified(client, async () => {
    const tables = [...READ_MODEL_TABLES];
    const constraints = (
      await client.query<Constraint>(
        `SELECT c.relname AS table, con.conname AS name, pg_get_constraintdef(con.oid) AS definition,
                con.contype AS type, idx.relname AS index
           FROM pg_constraint con
           JOIN pg_class c ON c.oid = con.conrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace
           LEFT JOIN pg_class idx ON idx.oid = con.conindid
          WHERE n.nspname = $1 AND c.relname = ANY($2) AND con.contype IN ('p', 'u', 'x', 'f')
          ORDER BY array_position($2, c.relname::text), con.contype = 'f', con.conname`,
        [LIVE_SCHEMA, tables],
      )
    ).rows;
    const constraintIndexes = new Set(constraints.flatMap((c) => (c.index ? [c.index] : [])));
    const indexes = (
      await client.query<{ table: string; name: string; definition: string }>(
        `SELECT tablename AS table, indexname AS name, indexdef AS definition
           FROM pg_indexes WHERE schemaname = $1 AND tablename = ANY($2) ORDER BY indexname`,
        [LIVE_SCHEMA, tables],
      )
    ).rows.filter((index) => !constraintIndexes.has(index.name));

    await client.query(`CREATE SCHEMA ${schema}`);
    for (const table of tables) {
      await client.query(
        `CREATE TABLE ${schema}.${table} (LIKE ${LIVE_SCHEMA}.${table}
           INCLUDING DEFAULTS INCLUDING GENERATED INCLUDING IDENTITY INCLUDING CONSTRAINTS
           INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING COMMENTS)`,
      );
    }
    const liveReadModel = new RegExp(`\\b${LIVE_SCHEMA}\\.(${tables.join('|')})\\b`, 'g');
    for (const c of constraints) {
      // Foreign keys between read models point into the new schema.
      const definition = c.definition.replace(liveReadModel, `${schema}.$1`);
      await client.query(`ALTER TABLE ${schema}.${c.table} ADD CONSTRAINT "${c.name}" ${definition}`);
    }
    for (const index of indexes) {
      const definition = index.definition.replace(
        ` ON ${LIVE_SCHEMA}.${index.table} `,
        ` ON ${schema}.${index.table} `,
      );
      if (definition === index.definition)
        throw new Error(`cannot re-target index ${index.name}: ${definition}`);
      await client.query(definition);
    }
  });
}

export type SwapResult = { liveCheckpoint: bigint; rebuiltCheckpoint: bigint; recreatedViews: string[] };

export class RebuildBehindError extends Error {
  readonly code = 'REBUILD_BEHIND';
}

async function checkpoint(client: ClientBase, schema: string): Promise<bigint> {
  const { rows } = await client.query<{ last_sequence: string }>(
    `SELECT last_sequence FROM ${schema}.projection_checkpoints WHERE name = 'read-model'`,
  );
  return BigInt(rows[0]?.last_sequence ?? 0);
}

type Dependents = {
  views: Array<{ name: string; definition: string }>;
  foreignKeys: Array<{ owner: string; name: string; definition: string }>;
};

/** Views reading the live tables directly, and foreign keys of other tables that reference them. */
async function dependentsOf(client: ClientBase, tables: string[]): Promise<Dependents> {
  return qualified(client, async () => ({
    // Views over those views follow by themselves (they reference the view, which is kept).
    views: (
      await client.query<{ name: string; definition: string }>(
        `SELECT DISTINCT format('%I.%I', vn.nspname, v.relname) AS name, pg_get_viewdef(v.oid) AS definition
           FROM pg_depend d
           JOIN pg_rewrite r ON r.oid = d.objid
           JOIN pg_class v ON v.oid = r.ev_class AND v.relkind = 'v'
           JOIN pg_namespace vn ON vn.oid = v.relnamespace
           JOIN pg_class t ON t.oid = d.refobjid
           JOIN pg_namespace tn ON tn.oid = t.relnamespace
          WHERE d.classid = 'pg_rewrite'::regclass AND tn.nspname = $1 AND t.relname = ANY($2)
            AND v.oid <> t.oid
          ORDER BY 1`,
        [LIVE_SCHEMA, tables],
      )
    ).rows,
    foreignKeys: (
      await client.query<{ owner: string; name: string; definition: string }>(
        `SELECT format('%I.%I', n.nspname, c.relname) AS owner, con.conname AS name,
                pg_get_constraintdef(con.oid) AS definition
           FROM pg_constraint con
           JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
           JOIN pg_class t ON t.oid = con.confrelid JOIN pg_namespace tn ON tn.oid = t.relnamespace
          WHERE con.contype = 'f' AND tn.nspname = $1 AND t.relname = ANY($2)
            AND NOT (n.nspname = $1 AND c.relname = ANY($2))
          ORDER BY 1, 2`,
        [LIVE_SCHEMA, tables],
      )
    ).rows,
  }));
}

const LOCK_NOT_AVAILABLE = '55P03';

/**
 * The switch-over, in one transaction: lock the live read models, the views over them and
 * the tables whose foreign keys point at them, check that the rebuild has everything the live
 * projector applied, move the live tables into `oldSchema` and the rebuilt ones into `public`,
 * and point those views and foreign keys at the new tables (Postgres binds them to tables, not
 * names). The locks are taken with NOWAIT and retried every few milliseconds until
 * `lockTimeoutMs`: the swap never waits while holding some of them, so it cannot deadlock with
 * a reader, and readers wait only for the milliseconds the swap itself takes. Nobody sees an
 * error or an empty table. Throws RebuildBehindError, changing nothing, when the live projector
 * applied something the rebuild has not.
 */
export async function swapReadModelSchemas(
  client: ClientBase,
  rebuiltSchema: string,
  oldSchema: string,
  lockTimeoutMs = 30_000,
): Promise<SwapResult> {
  assertSchemaName(rebuiltSchema);
  assertSchemaName(oldSchema);
  const tables = [...READ_MODEL_TABLES];
  const deadline = Date.now() + lockTimeoutMs;
  for (;;) {
    const { views, foreignKeys } = await dependentsOf(client, tables);
    const toLock = [
      ...views.map((v) => v.name),
      ...new Set(foreignKeys.map((fk) => fk.owner)),
      ...tables.map((t) => `${LIVE_SCHEMA}.${t}`),
      ...tables.map((t) => `${rebuiltSchema}.${t}`),
    ];
    await client.query('BEGIN');
    try {
      try {
        await client.query(`LOCK TABLE ${toLock.join(', ')} IN ACCESS EXCLUSIVE MODE NOWAIT`);
      } catch (error) {
        if ((error as { code?: string }).code !== LOCK_NOT_AVAILABLE || Date.now() > deadline) throw error;
        await client.query('ROLLBACK');
        await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 20));
        continue;
      }
      const liveCheckpoint = await checkpoint(client, LIVE_SCHEMA);
      const rebuiltCheckpoint = await checkpoint(client, rebuiltSchema);
      if (rebuiltCheckpoint < liveCheckpoint) {
        throw new RebuildBehindError(`rebuild at ${rebuiltCheckpoint}, live projector at ${liveCheckpoint}`);
      }
      for (const fk of foreignKeys)
        await client.query(`ALTER TABLE ${fk.owner} DROP CONSTRAINT "${fk.name}"`);
      await client.query(`CREATE SCHEMA ${oldSchema}`);
      for (const table of tables)
        await client.query(`ALTER TABLE ${LIVE_SCHEMA}.${table} SET SCHEMA ${oldSchema}`);
      for (const table of tables) {
        await client.query(`ALTER TABLE ${rebuiltSchema}.${table} SET SCHEMA ${LIVE_SCHEMA}`);
      }
      // The saved definitions name public.<table>, which is now the rebuilt table.
      for (const view of views)
        await client.query(`CREATE OR REPLACE VIEW ${view.name} AS ${view.definition}`);
      for (const fk of foreignKeys) {
        await client.query(`ALTER TABLE ${fk.owner} ADD CONSTRAINT "${fk.name}" ${fk.definition}`);
      }
      await client.query(`DROP SCHEMA ${rebuiltSchema}`);
      await client.query('COMMIT');
      return { liveCheckpoint, rebuiltCheckpoint, recreatedViews: views.map((v) => v.name) };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }
}
