import { apiEnvSchema, parseEnv } from '@diplowatch/config';
import { bootApp, runMain } from '@diplowatch/runtime';
import { apiModule } from './api.module';
import { setUpOpenApi } from './openapi';

runMain('api', async () => {
  const env = parseEnv(apiEnvSchema);
  await bootApp(apiModule(env), {
    name: 'api',
    port: env.PORT,
    host: env.HOST,
    logLevel: env.LOG_LEVEL,
    configure: setUpOpenApi,
  });
});
