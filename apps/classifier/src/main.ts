import { classifierEnvSchema, parseEnv } from '@diplowatch/config';
import { bootApp, runMain } from '@diplowatch/runtime';
import { classifierModule } from './classifier.module';

runMain('classifier', async () => {
  const env = parseEnv(classifierEnvSchema);
  await bootApp(classifierModule(env), {
    name: 'classifier',
    port: env.HEALTH_PORT,
    logLevel: env.LOG_LEVEL,
  });
});
