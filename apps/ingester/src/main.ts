import { ingesterEnvSchema, parseEnv } from '@diplowatch/config';
import { bootApp, runMain } from '@diplowatch/runtime';
import { ingesterModule } from './ingester.module';

runMain('ingester', async () => {
  const env = parseEnv(ingesterEnvSchema);
  await bootApp(ingesterModule(env), { name: 'ingester', port: env.HEALTH_PORT, logLevel: env.LOG_LEVEL });
});
