import { parseEnv } from '@diplowatch/config';
import { bootApp, runMain } from '@diplowatch/runtime';
import { alerterEnvSchema } from './alerter.env';
import { alerterModule } from './alerter.module';

runMain('alerter', async () => {
  const env = parseEnv(alerterEnvSchema);
  await bootApp(alerterModule(env), { name: 'alerter', port: env.HEALTH_PORT, logLevel: env.LOG_LEVEL });
});
