import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import { apiEnvSchema, parseEnv } from '@diplowatch/config';
import {
  type FeedServer,
  type TestDatabase,
  createTestDatabase,
  startFeedServer,
  testNamespace,
  testNatsUrl,
} from '@diplowatch/testing';
import { apiModule } from '../api.module';
import { insertApiKey } from '../testing/api-test-app';

jest.setTimeout(60_000);

const RSS = `<?xml version="1.0"?><rss version="2.0"><channel><title>Jakarta Post: World</title><language>en</language>
<item><title>Shoigu in Jakarta</title><link>https://news.example.org/a</link></item>
<item><title>ASEAN talks</title><link>https://news.example.org/b</link></item></channel></rss>`;

describe('feed registry API', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let server: FeedServer;
  let readKey: string;
  let writeKey: string;
  const http = () => request(app.getHttpServer());
  const auth = (key: string) => ({ authorization: `Bearer ${key}` });

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startFeedServer({
      '/feed.xml': { body: RSS },
      '/page.html': { body: '<!doctype html><html><body>hello</body></html>', contentType: 'text/html' },
    });
    const env = parseEnv(apiEnvSchema, {
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: '3',
      NATS_URL: testNatsUrl(),
      DW_NAMESPACE: testNamespace('feedsapi'),
      LOG_LEVEL: 'error',
      ALLOW_PRIVATE_NETWORKS: 'true',
      FETCH_TIMEOUT_MS: '3000',
    });
    app = await NestFactory.create(apiModule(env), { logger: ['error'] });
    await app.init();
    readKey = await insertApiKey(db.url, ['read']);
    writeKey = await insertApiKey(db.url, ['read', 'write']);
  });

  afterAll(async () => {
    await app?.close();
    await server?.close();
    await db?.drop();
  });

  describe('POST /feeds', () => {
    it('fetches the feed once and says at once that it parses', async () => {
      const response = await http()
        .post('/feeds')
        .set(auth(writeKey))
        .send({ url: server.url('/feed.xml') });
      expect(response.status).toBe(201);
      expect(response.body.check).toEqual({
        outcome: 'parsed',
        format: 'rss2',
        items: 2,
        error: null,
        title: 'Jakarta Post: World',
      });
      expect(response.body.feed).toMatchObject({
        url: server.url('/feed.xml'),
        title: 'Jakarta Post: World',
        language: 'en',
        enabled: true,
        origin: 'api',
        condition: 'pending',
        options: { fetchFullText: false },
        health: { consecutiveFailures: 0, itemsSeen: 0 },
      });
      expect(server.requests('/feed.xml')).toBe(1);
    });

    it('registers a feed that does not parse, and says why', async () => {
      const response = await http()
        .post('/feeds')
        .set(auth(writeKey))
        .send({ url: server.url('/page.html'), options: { fetchFullText: true }, pollIntervalSeconds: 3600 });
      expect(response.status).toBe(201);
      expect(response.body.check).toMatchObject({ outcome: 'rejected', format: null, items: 0 });
      expect(response.body.check.error).toMatch(/^not_a_feed: /);
      expect(response.body.feed).toMatchObject({
        pollIntervalSeconds: 3600,
        options: { fetchFullText: true },
      });
    });

    it('answers 409 for a URL already registered', async () => {
      const response = await http()
        .post('/feeds')
        .set(auth(writeKey))
        .send({ url: server.url('/feed.xml') });
      expect(response.status).toBe(409);
    });

    it.each([
      [{ url: 'ftp://example.org/feed' }, /field "url": only http and https/],
      [{ url: 'not a url' }, /field "url": not an absolute URL/],
      [{ url: 'https://example.org/f', pollIntervalSeconds: 5 }, /field "pollIntervalSeconds"/],
      [{ url: 'https://example.org/f', colour: 'red' }, /colour/],
    ])('refuses %j with a 400 naming the field', async (body, message) => {
      const response = await http().post('/feeds').set(auth(writeKey)).send(body);
      expect(response.status).toBe(400);
      expect(response.body.message).toMatch(message);
    });

    it('needs the write scope', async () => {
      expect(
        (
          await http()
            .post('/feeds')
            .set(auth(readKey))
            .send({ url: server.url('/x.xml') })
        ).status,
      ).toBe(403);
      expect(
        (
          await http()
            .post('/feeds')
            .send({ url: server.url('/x.xml') })
        ).status,
      ).toBe(401);
    });
  });

  describe('pause, resume, remove', () => {
    it('changes the feed and lists it accordingly', async () => {
      const listed = await http().get('/feeds').set(auth(readKey));
      expect(listed.status).toBe(200);
      const feed = listed.body.items.find((f: { url: string }) => f.url === server.url('/feed.xml'));

      expect((await http().post(`/feeds/${feed.id}/pause`).set(auth(readKey))).status).toBe(403);
      const paused = await http().post(`/feeds/${feed.id}/pause`).set(auth(writeKey));
      expect(paused.body).toMatchObject({ enabled: false, condition: 'paused' });
      const resumed = await http().post(`/feeds/${feed.id}/resume`).set(auth(writeKey));
      expect(resumed.body).toMatchObject({ enabled: true });

      expect((await http().delete(`/feeds/${feed.id}`).set(auth(writeKey))).status).toBe(204);
      expect((await http().get(`/feeds/${feed.id}`).set(auth(readKey))).status).toBe(404);
      expect((await http().delete(`/feeds/${feed.id}`).set(auth(writeKey))).status).toBe(404);
      const after = await http().get('/feeds').set(auth(readKey));
      expect(after.body.items.map((f: { url: string }) => f.url)).not.toContain(server.url('/feed.xml'));

      // Added again: the removed row comes back.
      const again = await http()
        .post('/feeds')
        .set(auth(writeKey))
        .send({ url: server.url('/feed.xml') });
      expect(again.status).toBe(201);
      expect(again.body.feed.id).toBe(feed.id);
    });

    it('answers 400 for a malformed id and 404 for an unknown one', async () => {
      expect((await http().get('/feeds/nope').set(auth(readKey))).status).toBe(400);
      expect(
        (await http().post('/feeds/00000000-0000-4000-8000-000000000000/pause').set(auth(writeKey))).status,
      ).toBe(404);
    });
  });

  describe('OPML', () => {
    const opml = `<?xml version="1.0"?><opml version="2.0"><head><title>mine</title></head><body>
      <outline text="Wires"><outline type="rss" text="TASS" xmlUrl="https://tass.com/rss/v2.xml"/></outline>
      <outline type="rss" text="again" xmlUrl="${server?.url('/feed.xml') ?? ''}"/>
      <outline type="rss" text="bad" xmlUrl="javascript:alert(1)"/></body></opml>`;

    it('imports new feeds, leaves known ones, and reports what it skipped', async () => {
      const body = opml.replace('xmlUrl=""', `xmlUrl="${server.url('/feed.xml')}"`);
      const response = await http()
        .post('/feeds/opml')
        .set(auth(writeKey))
        .set('content-type', 'text/x-opml')
        .send(body);
      expect(response.status).toBe(201);
      expect(response.body.added.map((f: { url: string }) => f.url)).toEqual(['https://tass.com/rss/v2.xml']);
      expect(response.body.added[0]).toMatchObject({ title: 'TASS', origin: 'opml' });
      expect(response.body.existing).toEqual([server.url('/feed.xml')]);
      expect(response.body.warnings).toEqual([expect.stringContaining('javascript:alert(1)')]);
    });

    it('refuses a document that is not OPML, and needs the write scope', async () => {
      const bad = await http()
        .post('/feeds/opml')
        .set(auth(writeKey))
        .set('content-type', 'application/xml')
        .send('<rss/>');
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/OPML: not an OPML document/);
      expect(
        (await http().post('/feeds/opml').set(auth(readKey)).set('content-type', 'text/xml').send(opml))
          .status,
      ).toBe(403);
    });

    it('exports every registered feed', async () => {
      const response = await http().get('/feeds/opml').set(auth(readKey));
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/text\/x-opml/);
      expect(response.text).toContain('xmlUrl="https://tass.com/rss/v2.xml"');
      expect(response.text).toContain(`xmlUrl="${server.url('/feed.xml')}"`);
    });
  });
});
