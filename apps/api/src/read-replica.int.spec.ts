/**
 * DATABASE_READ_URL: the API's query endpoints read from it, while keys, subscriptions and
 * feeds stay on DATABASE_URL. Two databases stand in for a primary and its replica; each holds
 * rows the other lacks, so the answers show which one was asked.
 */
import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NatsConnection } from '@nats-io/transport-node';
import { Client } from 'pg';
import request from 'supertest';
import { apiEnvSchema, parseEnv } from '@diplowatch/config';
import {
  type TestDatabase,
  connectTestNats,
  createTestDatabase,
  deleteNamespace,
  testNamespace,
  testNatsUrl,
} from '@diplowatch/testing';
import { apiModule } from './api.module';
import { insertApiKey } from './testing/api-test-app';
import { actor, insertArticles, insertEvents } from './testing/read-model-fixtures';

jest.setTimeout(60_000);

const at = '2025-02-25T10:00:00Z';

async function seedEvent(url: string, id: string) {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    await insertArticles(db, [{ id: `${id}-article`, title: `About ${id}`, text: `Text of ${id}.` }]);
    await insertEvents(db, [
      {
        id,
        versions: [
          {
            recordedAt: at,
            state: {
              type: 'visit',
              countries: ['IDN', 'RUS'],
              actors: [actor('Sergei Shoigu', 'RUS')],
              eventDate: '2025-02-24',
            },
          },
        ],
        sources: [{ articleId: `${id}-article`, detectedAt: at }],
      },
    ]);
  } finally {
    await db.end();
  }
}

async function subscriptionCount(url: string): Promise<number> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM alert_subscriptions`);
    return Number(rows[0]!.n);
  } finally {
    await db.end();
  }
}

describe('API read replica (DATABASE_READ_URL)', () => {
  const namespace = testNamespace('apirr');
  let primary: TestDatabase;
  let replica: TestDatabase;
  let nc: NatsConnection;
  const apps: INestApplication[] = [];

  const boot = async (readUrl?: string) => {
    const env = parseEnv(apiEnvSchema, {
      DATABASE_URL: primary.url,
      ...(readUrl ? { DATABASE_READ_URL: readUrl } : {}),
      DATABASE_POOL_SIZE: '2',
      NATS_URL: testNatsUrl(),
      DW_NAMESPACE: namespace,
      LOG_LEVEL: 'error',
    });
    const app = await NestFactory.create(apiModule(env), { logger: ['error'] });
    await app.init();
    apps.push(app);
    return app;
  };
  const eventIds = async (app: INestApplication, key: string) => {
    const response = await request(app.getHttpServer()).get('/events').set('authorization', `Bearer ${key}`);
    expect(response.status).toBe(200);
    return (response.body.items as Array<{ id: string }>).map((item) => item.id);
  };

  // The API reads its alerting settings from process.env (creating a subscription needs a key).
  const secretKeyBefore = process.env.ALERT_SECRET_KEY;

  beforeAll(async () => {
    process.env.ALERT_SECRET_KEY = 'cd'.repeat(32);
    [primary, replica] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    await seedEvent(primary.url, 'e-on-primary');
    await seedEvent(replica.url, 'e-on-replica');
    nc = await connectTestNats();
  });

  afterAll(async () => {
    if (secretKeyBefore === undefined) delete process.env.ALERT_SECRET_KEY;
    else process.env.ALERT_SECRET_KEY = secretKeyBefore;
    for (const app of apps) await app.close();
    if (nc) {
      await deleteNamespace(nc, namespace);
      await nc.drain();
    }
    await Promise.all([primary?.drop(), replica?.drop()]);
  });

  it('reads events from the replica, and keys and subscriptions from and to the primary', async () => {
    // The key exists on the primary only: a request that authenticates proves keys are read there.
    const key = await insertApiKey(primary.url, ['read', 'write']);
    const app = await boot(replica.url);
    expect(await eventIds(app, key)).toEqual(['e-on-replica']);
    const detail = await request(app.getHttpServer())
      .get('/events/e-on-replica')
      .set('authorization', `Bearer ${key}`);
    expect(detail.status).toBe(200);

    const created = await request(app.getHttpServer())
      .post('/subscriptions')
      .set('authorization', `Bearer ${key}`)
      .send({ name: 'replica test', channels: [] });
    expect(created.status).toBe(201);
    // Written to the primary, and read back from it (a lagging replica would not have it yet).
    expect(await subscriptionCount(primary.url)).toBe(1);
    expect(await subscriptionCount(replica.url)).toBe(0);
    const listed = await request(app.getHttpServer())
      .get('/subscriptions')
      .set('authorization', `Bearer ${key}`);
    expect(listed.status).toBe(200);
  });

  it('reads everything from DATABASE_URL when no read URL is set', async () => {
    const key = await insertApiKey(primary.url, ['read']);
    const app = await boot();
    expect(await eventIds(app, key)).toEqual(['e-on-primary']);
  });
});
