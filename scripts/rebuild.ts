/**
 * `npm run rebuild [-- --keep-old]` — replays the event log into fresh read-model tables and
 * switches readers over without downtime (see apps/projector/src/rebuild and
 * docs/read-models.md). Uses DATABASE_URL, NATS_URL and DW_NAMESPACE like the projector; the
 * live projector and the API may keep running.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { parseEnv, projectorEnvSchema, redactUrl } from '@diplowatch/config';
import { topology } from '@diplowatch/contracts';
import { connectNats } from '@diplowatch/messaging';
import { rebuildReadModels } from '../apps/projector/src/rebuild/rebuild-read-models';

const log = (line: string) => process.stdout.write(`[rebuild   ] ${line}\n`);

async function main() {
  const env = parseEnv(projectorEnvSchema);
  const keepOld = process.argv.includes('--keep-old');
  log(`database ${redactUrl(env.DATABASE_URL)}, namespace ${env.DW_NAMESPACE}`);
  const nc = await connectNats({ servers: env.NATS_URL, name: 'diplowatch-rebuild', log });
  try {
    const report = await rebuildReadModels({
      databaseUrl: env.DATABASE_URL,
      js: jetstream(nc),
      jsm: await jetstreamManager(nc),
      topology: topology(env.DW_NAMESPACE),
      logger: { log, warn: log, error: log },
      keepOld,
    });
    log(
      `done in ${report.seconds.toFixed(1)} s` +
        (report.oldSchema ? `; the replaced tables are kept in schema ${report.oldSchema}` : ''),
    );
    process.stdout.write(
      `${JSON.stringify({ ...report, liveCheckpoint: Number(report.liveCheckpoint), rebuiltCheckpoint: Number(report.rebuiltCheckpoint) })}\n`,
    );
  } finally {
    await nc.drain();
  }
}

main().catch((error: unknown) => {
  log(`failed: ${(error as Error).message}`);
  process.exit(1);
});
