// Test support (int tests and the query bench): the real API module booted in-process.
import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
import { apiEnvSchema, parseEnv } from '@diplowatch/config';
import { issueApiKey } from '@diplowatch/domain';
import { apiModule } from '../api.module';
import { setUpOpenApi } from '../openapi';

export type TestApi = {
  app: INestApplication;
  /** A key with the read scope, for `Authorization: Bearer …`. */
  readKey: string;
  close(): Promise<void>;
};

/** Inserts an API key with these scopes into api_keys and returns the key to present. */
export async function insertApiKey(databaseUrl: string, scopes: string[] = ['read']): Promise<string> {
  const issued = issueApiKey();
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query(
      `INSERT INTO api_keys (id, name, hash, scopes, created_at) VALUES ($1, 'test', $2, $3, now())`,
      [issued.id, issued.hash, scopes],
    );
  } finally {
    await db.end();
  }
  return issued.key;
}

/**
 * The API as `main.ts` builds it (module, guard, OpenAPI), initialised but not listening:
 * pass `app.getHttpServer()` to supertest. Its NATS streams go under `namespace`.
 */
export async function startTestApi(options: {
  databaseUrl: string;
  natsUrl: string;
  namespace: string;
  poolSize?: number;
}): Promise<TestApi> {
  const env = parseEnv(apiEnvSchema, {
    DATABASE_URL: options.databaseUrl,
    DATABASE_POOL_SIZE: String(options.poolSize ?? 4),
    NATS_URL: options.natsUrl,
    DW_NAMESPACE: options.namespace,
    LOG_LEVEL: 'error',
  });
  const app = await NestFactory.create(apiModule(env), { logger: ['error'] });
  setUpOpenApi(app);
  await app.init();
  const readKey = await insertApiKey(options.databaseUrl);
  return { app, readKey, close: () => app.close() };
}
