import { randomBytes } from 'node:crypto';
import { type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import pg from 'pg';
import { type Topology } from '@diplowatch/contracts';
import { type ConsumerLogger, type EventConsumer } from '@diplowatch/messaging';
import { startReadModelProjection } from '../projection-runner';
import { ReadModelDatabase } from '../read-model.database';
import { ReadModelWriter } from '../read-model.writer';
import {
  RebuildBehindError,
  type SwapResult,
  createReadModelSchema,
  swapReadModelSchemas,
  withSearchPath,
} from './read-model-schema';

export type RebuildOptions = {
  databaseUrl: string;
  js: JetStreamClient;
  jsm: JetStreamManager;
  topology: Topology;
  logger: ConsumerLogger;
  /** Keep the replaced tables in schema `rm_old_<stamp>` (default: dropped once the swap committed). */
  keepOld?: boolean;
  /** How often progress is checked while catching up. */
  pollMs?: number;
  /** Swap attempts when the live projector moved ahead meanwhile. */
  maxAttempts?: number;
};

export type RebuildReport = SwapResult & {
  schema: string;
  oldSchema: string | null;
  durable: string;
  attempts: number;
  seconds: number;
};

const stampOf = (date: Date) => date.toISOString().replace(/\D/g, '').slice(0, 14);

/**
 * `npm run rebuild`: replays the whole log into fresh tables while the live projector and the
 * API go on, then switches readers over in one transaction.
 *
 * 1. Schema `rm_<stamp>` gets empty copies of the read-model tables.
 * 2. A projector with a durable consumer of its own (`rebuild_<stamp>`) and search_path
 *    `rm_<stamp>` replays the log from the first event until it has nothing pending.
 * 3. It stops, and swapReadModelSchemas moves the live tables out and the rebuilt ones into
 *    `public` if the rebuild has applied at least what the live projector has; otherwise the
 *    rebuild catches up again and retries. The live projector goes on with its own durable
 *    into the new tables: what the rebuild already applied, it finds applied (every row keeps
 *    the sequence that last changed it).
 */
export async function rebuildReadModels(options: RebuildOptions): Promise<RebuildReport> {
  const { databaseUrl, js, jsm, topology, logger } = options;
  const started = Date.now();
  const stamp = `${stampOf(new Date())}_${randomBytes(2).toString('hex')}`;
  const schema = `rm_${stamp}`;
  const oldSchema = `rm_old_${stamp}`;
  const durable = `rebuild_${stamp}`;
  await jsm.streams.info(topology.eventStream); // fails clearly when there is no log to replay

  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  const database = new ReadModelDatabase({ databaseUrl: withSearchPath(databaseUrl, schema), poolSize: 2 });
  let consumer: EventConsumer | undefined;
  let swapped = false;
  try {
    await createReadModelSchema(admin, schema);
    logger.log(`replaying ${topology.eventStream} into schema ${schema} (durable consumer ${durable})`);
    const writer = new ReadModelWriter(database);
    const maxAttempts = options.maxAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      consumer = await startReadModelProjection({ js, jsm, topology, durable, writer, logger });
      await waitUntilDrained(options, durable, schema, admin);
      await consumer.stop();
      consumer = undefined;
      try {
        const result = await swapReadModelSchemas(admin, schema, oldSchema);
        swapped = true;
        logger.log(
          `switched: public now holds the rebuilt read models (checkpoint ${result.rebuiltCheckpoint}, ` +
            `live was at ${result.liveCheckpoint}); views recreated: ${result.recreatedViews.join(', ') || 'none'}`,
        );
        if (!options.keepOld) await admin.query(`DROP SCHEMA ${oldSchema} CASCADE`);
        return {
          ...result,
          schema,
          oldSchema: options.keepOld ? oldSchema : null,
          durable,
          attempts: attempt,
          seconds: (Date.now() - started) / 1000,
        };
      } catch (error) {
        if (!(error instanceof RebuildBehindError) || attempt >= maxAttempts) throw error;
        logger.warn(`${error.message}: catching up again (attempt ${attempt + 1} of ${maxAttempts})`);
      }
    }
  } finally {
    await consumer?.stop();
    await jsm.consumers.delete(topology.eventStream, durable).catch(() => undefined);
    if (!swapped) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await database.onApplicationShutdown();
    await admin.end();
  }
}

/** Until the rebuild consumer has been given, and has settled, every message in the stream. */
async function waitUntilDrained(options: RebuildOptions, durable: string, schema: string, admin: pg.Client) {
  const { jsm, topology, logger } = options;
  let lastReport = 0;
  for (;;) {
    const info = await jsm.consumers.info(topology.eventStream, durable);
    if (info.num_pending === 0 && info.num_ack_pending === 0) return;
    if (Date.now() - lastReport > 5000) {
      lastReport = Date.now();
      const { rows } = await admin.query<{ last_sequence: string }>(
        `SELECT last_sequence FROM ${schema}.projection_checkpoints WHERE name = 'read-model'`,
      );
      logger.log(
        `rebuild at sequence ${rows[0]?.last_sequence ?? 0}; ${info.num_pending + info.num_ack_pending} to go`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
  }
}
