import { parseEnv, projectorEnvSchema } from '@diplowatch/config';
import { bootApp, runMain } from '@diplowatch/runtime';
import { z } from 'zod';
import { projectorModule } from './projector.module';

const schema = projectorEnvSchema.extend({
  /** A rebuild projects into a fresh database with a consumer of its own. */
  PROJECTOR_DURABLE: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('projector'),
  /**
   * `off`: projection transactions do not wait for their WAL flush. Faster commits, but see
   * docs/read-models.md ("Commit durability") for what a Postgres crash can then lose.
   */
  PROJECTOR_SYNCHRONOUS_COMMIT: z.enum(['on', 'off']).default('on'),
});

runMain('projector', async () => {
  const env = parseEnv(schema);
  await bootApp(projectorModule(env), { name: 'projector', port: env.HEALTH_PORT, logLevel: env.LOG_LEVEL });
});
