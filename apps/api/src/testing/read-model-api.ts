// Test support for the API's read-side int tests: a database of its own seeded with read-model
// rows, the real API module booted in-process against it with a read key, and requests through
// supertest. Registers its own beforeAll/afterAll: call it inside a describe.
import { type NatsConnection } from '@nats-io/transport-node';
import { Client } from 'pg';
import request from 'supertest';
import {
  type TestDatabase,
  connectTestNats,
  createTestDatabase,
  deleteNamespace,
  testNamespace,
  testNatsUrl,
} from '@diplowatch/testing';
import { type TestApi, startTestApi } from './api-test-app';

export type ReadModelApi = {
  /** The booted API (valid once beforeAll has run). */
  readonly api: TestApi;
  readonly database: TestDatabase;
  /** GET with the read key, or with `key` (null: no credentials). */
  get(path: string, key?: string | null): Promise<request.Response>;
};

/**
 * Before all tests: a fresh database (migrations applied), `seed` run on a connection to it,
 * then the API started. After all: the API closed, its NATS streams deleted, the database dropped.
 */
export function useReadModelApi(namespacePrefix: string, seed: (db: Client) => Promise<void>): ReadModelApi {
  const namespace = testNamespace(namespacePrefix);
  let database: TestDatabase | undefined;
  let api: TestApi | undefined;
  let nc: NatsConnection | undefined;
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} not started: use it inside tests, after beforeAll`);
    return value;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    const db = new Client({ connectionString: database.url });
    await db.connect();
    try {
      await seed(db);
    } finally {
      await db.end();
    }
    api = await startTestApi({ databaseUrl: database.url, natsUrl: testNatsUrl(), namespace });
    nc = await connectTestNats();
  });
  afterAll(async () => {
    await api?.close();
    if (nc) {
      await deleteNamespace(nc, namespace);
      await nc.drain();
    }
    await database?.drop();
  });

  return {
    get api() {
      return started(api, 'the API');
    },
    get database() {
      return started(database, 'the database');
    },
    async get(path, key) {
      const app = started(api, 'the API');
      const call = request(app.app.getHttpServer() as Parameters<typeof request>[0]).get(path);
      const credentials = key === undefined ? app.readKey : key;
      return credentials ? call.set('authorization', `Bearer ${credentials}`) : call;
    },
  };
}
