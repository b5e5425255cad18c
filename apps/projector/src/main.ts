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
});

runMain('projector', async () => {
  const env = parseEnv(schema);
  await bootApp(projectorModule(env), { name: 'projector', port: env.HEALTH_PORT, logLevel: env.LOG_LEVEL });
});
