/**
 * Alerts, end to end: the compiled API, alerter and classifier as processes against the real
 * nats-server and Postgres; subscriptions through the HTTP API with API keys; detections
 * published to the event log; a local receiver standing in for webhooks.
 */
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/transport-node';
import { Client } from 'pg';
import { type DiplomaticEventDetectedV1, createEvent, topology } from '@diplowatch/contracts';
import { alertTopology, verifyWebhookSignature } from '@diplowatch/domain';
import { EventPublisher } from '@diplowatch/messaging';
import { type Pipeline, devSetFile, eventually, startPipeline } from '@diplowatch/testing';
import { type AlertReceiver, startAlertReceiver } from '../../bench/alerts/receiver';
import { readDevSet } from '../../scripts/lib/demo-feeds';

jest.setTimeout(300_000);

type SseEvent = { id: string | null; data: any };

/** A minimal SSE client over fetch: collects events until closed. */
function openStream(url: string, key: string, lastEventId?: string) {
  const controller = new AbortController();
  const events: SseEvent[] = [];
  let status = 0;
  const done = (async () => {
    const headers: Record<string, string> = { authorization: `Bearer ${key}` };
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    const response = await fetch(url, { headers, signal: controller.signal });
    status = response.status;
    if (!response.body) return;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done: finished } = await reader.read();
      if (finished) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let id: string | null = null;
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('id: ')) id = line.slice(4);
          else if (line.startsWith('data: ')) data.push(line.slice(6));
        }
        if (data.length > 0) events.push({ id, data: JSON.parse(data.join('\n')) });
      }
    }
  })().catch(() => undefined);
  return {
    events,
    status: () => status,
    close: async () => {
      controller.abort();
      await done;
    },
  };
}

describe('alerts, end to end (api + alerter + classifier processes)', () => {
  let pipeline: Pipeline<'owner' | 'other' | 'reader'>;
  let namespace: string;
  let apiUrl: string;
  let receiver: AlertReceiver;
  let nc: NatsConnection;
  let db: Client;
  let publisher: EventPublisher;
  let keys: Record<'owner' | 'other' | 'reader', string>;

  const launchAlerter = () => pipeline.launch('alerter');

  const call = async (method: string, pathAndQuery: string, key: string | null, body?: unknown) => {
    const response = await fetch(`${apiUrl}${pathAndQuery}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };

  const subscribe = async (body: Record<string, unknown>) => {
    const created = await call('POST', '/subscriptions', keys.owner, body);
    expect(created.status).toBe(201);
    return created.body as { id: string; secret: string };
  };

  let detectionCount = 0;
  /** Publishes a DiplomaticEventDetected as the classifier would; returns its diplomatic event id. */
  const detect = async (overrides: Partial<DiplomaticEventDetectedV1> = {}) => {
    const n = ++detectionCount;
    const data: DiplomaticEventDetectedV1 = {
      diplomaticEventId: `de-e2e-${n}`,
      articleId: `article-${n}`,
      watch: 'russia-sea',
      rulesVersion: '1.0.0',
      type: 'defense_cooperation',
      countries: ['RUS', 'VNM'],
      actors: [{ name: 'Andrei Belousov', office: 'Defence Minister', country: 'RUS', role: 'actor' }],
      confidence: 0.7,
      summary: `Defense cooperation: RUS, VNM — Andrei Belousov (${n})`,
      startDate: null,
      endDate: null,
      place: null,
      topics: ['defense'],
      evidence: [{ sentence: 'Russia and Vietnam agreed to deepen defence ties.', rules: ['defense'] }],
      context: [],
      publishedAt: new Date().toISOString(),
      ...overrides,
    };
    await publisher.publish(createEvent('DiplomaticEventDetected', { id: `e2e-detection-${n}`, data }));
    return data.diplomaticEventId;
  };

  const alertIdsOf = async (subscriptionId: string) => {
    const { body } = await call('GET', `/subscriptions/${subscriptionId}/alerts?limit=200`, keys.owner);
    return new Set((body.items as Array<{ id: string }>).map((item) => item.id));
  };

  const withLogs = (test: () => Promise<void>) => pipeline.withLogs(test, 200);

  beforeAll(async () => {
    receiver = await startAlertReceiver();
    pipeline = await startPipeline({
      name: 'alerts',
      apiKeys: { owner: ['write'], other: ['write'], reader: ['read'] },
      env: {
        ALERT_SECRET_KEY: 'ab'.repeat(32),
        // The local receiver is on loopback: allowed for this test only.
        ALERT_RECEIVER_ALLOWLIST: '127.0.0.1',
        ALERT_ATTEMPT_TIMEOUT_MS: '1000',
        ALERT_RETRY_BASE_MS: '100',
        ALERT_RETRY_MAX_MS: '1000',
        ALERT_MAX_ATTEMPTS: '5',
        ALERT_POLL_INTERVAL_MS: '100',
      },
      apps: ['api', 'classifier', 'alerter'],
    });
    ({ namespace, apiUrl, nc, db } = pipeline);
    keys = pipeline.keys;
    publisher = new EventPublisher(jetstream(nc), topology(namespace));
  });

  afterAll(async () => {
    await pipeline?.stop();
    await receiver?.close();
  });

  describe('subscriptions through the API', () => {
    it('are created, listed, edited, paused and removed by their owner only', () =>
      withLogs(async () => {
        const created = await call('POST', '/subscriptions', keys.owner, {
          name: 'Russia–Indonesia defence',
          filter: { pair: ['RUS', 'IDN'], types: ['defense_cooperation', 'visit'] },
          channels: [{ type: 'webhook', url: receiver.url('/crud') }],
        });
        expect(created.status).toBe(201);
        expect(created.body).toMatchObject({
          name: 'Russia–Indonesia defence',
          status: 'active',
          filter: { pair: ['RUS', 'IDN'], countryMatch: 'all', minConfidence: 0 },
          options: { instant: true, updates: false, spikes: null, digest: null },
          channels: [{ type: 'webhook', target: receiver.url('/crud') }],
        });
        expect(created.body.secret).toMatch(/^whsec_/);
        const { id } = created.body;
        const { rows } = await db.query('SELECT secret_sealed FROM alert_subscriptions WHERE id = $1', [id]);
        expect(rows[0].secret_sealed).not.toContain(created.body.secret.slice(6));

        const mine = await call('GET', `/subscriptions/${id}`, keys.owner);
        expect(mine.status).toBe(200);
        expect(mine.body.secret).toBeUndefined();
        expect((await call('GET', '/subscriptions', keys.owner)).body.items.map((s: any) => s.id)).toContain(
          id,
        );

        // Another key neither sees nor touches it.
        expect((await call('GET', `/subscriptions/${id}`, keys.other)).status).toBe(404);
        expect((await call('GET', '/subscriptions', keys.other)).body.items).toEqual([]);
        expect((await call('PATCH', `/subscriptions/${id}`, keys.other, { name: 'mine now' })).status).toBe(
          404,
        );
        expect((await call('POST', `/subscriptions/${id}/pause`, keys.other)).status).toBe(404);
        expect((await call('GET', `/subscriptions/${id}/deliveries`, keys.other)).status).toBe(404);
        expect((await call('GET', `/subscriptions/${id}/stream`, keys.other)).status).toBe(404);
        expect((await call('DELETE', `/subscriptions/${id}`, keys.other)).status).toBe(404);
        // Writes need the write scope; nothing works without a key.
        expect((await call('POST', '/subscriptions', keys.reader, { name: 'x' })).status).toBe(403);
        expect((await call('PATCH', `/subscriptions/${id}`, keys.reader, { name: 'x' })).status).toBe(403);
        expect((await call('GET', '/subscriptions', null)).status).toBe(401);

        const edited = await call('PATCH', `/subscriptions/${id}`, keys.owner, {
          name: 'Russia–Indonesia, all',
          filter: { pair: ['RUS', 'IDN'] },
        });
        expect(edited.status).toBe(200);
        expect(edited.body).toMatchObject({
          name: 'Russia–Indonesia, all',
          filter: { pair: ['RUS', 'IDN'], types: [] },
        });
        const rotated = await call('POST', `/subscriptions/${id}/secret`, keys.owner);
        expect(rotated.status).toBe(200);
        expect(rotated.body.secret).toMatch(/^whsec_/);
        expect(rotated.body.secret).not.toBe(created.body.secret);
        expect((await call('POST', `/subscriptions/${id}/secret`, keys.other)).status).toBe(404);
        expect((await call('POST', `/subscriptions/${id}/pause`, keys.owner)).body.status).toBe('paused');
        expect((await call('POST', `/subscriptions/${id}/resume`, keys.owner)).body.status).toBe('active');

        expect((await call('DELETE', `/subscriptions/${id}`, keys.owner)).status).toBe(204);
        expect((await call('GET', `/subscriptions/${id}`, keys.owner)).status).toBe(404);
      }));

    it('refuses bad input with a 400 that names the field', async () => {
      const cases: Array<[unknown, RegExp]> = [
        [{}, /field "name"/],
        [{ name: 'x', filter: { countries: ['Indonesia'] } }, /field "filter.countries.0"/],
        [{ name: 'x', filter: { types: ['coup'] } }, /field "filter.types.0"/],
        [{ name: 'x', channels: [{ type: 'webhook', url: 'ftp://example.org' }] }, /field "channels.0.url"/],
        [
          { name: 'x', channels: [{ type: 'webhook', url: 'http://10.0.0.1/hook' }] },
          /"channels.0.url" is an internal address/,
        ],
        [{ name: 'x', channels: [{ type: 'sms', to: '+1' }] }, /field "channels.0.type"/],
        [{ name: 'x', colour: 'red' }, /unknown field.*colour/],
        [{ name: 'x', options: { digest: 'hourly' } }, /field "options.digest"/],
      ];
      for (const [body, message] of cases) {
        const { status, body: answer } = await call('POST', '/subscriptions', keys.owner, body);
        expect({ body, status }).toEqual({ body, status: 400 });
        expect(answer.message).toMatch(message);
      }
    });
  });

  describe('alerts from the event log', () => {
    it('turns the seed article into one signed alert at the webhook', () =>
      withLogs(async () => {
        const { id, secret } = await subscribe({
          name: 'Shoigu in Indonesia',
          filter: { pair: ['RUS', 'IDN'], actors: ['Shoigu'] },
          channels: [{ type: 'webhook', url: receiver.url('/seed') }],
        });
        const seed = (readDevSet(devSetFile) as Array<{ id: string; title: string; text: string }>).find(
          (item) => item.id === 'seed-001',
        )!;
        await publisher.publish(
          createEvent('ArticleIngested', {
            id: 'e2e-seed-article',
            data: {
              articleId: 'e2e-seed',
              contentHash: 'h1',
              feedUrl: 'https://news.example.org/feed.xml',
              url: 'https://news.example.org/articles/seed-001',
              canonicalUrl: 'https://news.example.org/articles/seed-001',
              guid: null,
              title: seed.title,
              text: seed.text,
              rawContent: null,
              author: null,
              language: 'en',
              publishedAt: '2025-02-24T08:00:00.000Z',
              fetchedAt: new Date().toISOString(),
            },
          }),
        );
        await eventually(() => expect(receiver.received('/seed')).toHaveLength(1), 60_000);
        const [request] = receiver.received('/seed');
        const payload = JSON.parse(request!.body);
        expect(payload).toMatchObject({
          kind: 'diplomatic_event.new',
          subscriptionId: id,
          diplomaticEvent: { type: 'visit', countries: expect.arrayContaining(['RUS', 'IDN', 'MYS']) },
          trigger: { articleId: 'e2e-seed' },
        });
        expect(request!.alertId).toBe(payload.id);
        expect(
          verifyWebhookSignature({
            secret,
            body: request!.body,
            timestamp: request!.headers['diplowatch-timestamp'] as string,
            signatureHeader: request!.headers['diplowatch-signature'] as string,
            nowSeconds: Math.floor(Date.now() / 1000),
          }),
        ).toBe(true);
      }));

    it('a receiver that fails with 500s, then recovers, gets everything; the API shows the attempts', () =>
      withLogs(async () => {
        let calls = 0;
        receiver.set('/flaky', (_received, res) => void res.writeHead(++calls <= 4 ? 500 : 204).end());
        const { id } = await subscribe({
          name: 'flaky',
          filter: { countries: ['VNM'], keywords: ['flaky'] },
          channels: [{ type: 'webhook', url: receiver.url('/flaky') }],
        });
        for (let i = 0; i < 3; i++) await detect({ summary: `flaky receiver test ${i}` });
        await eventually(async () => expect((await alertIdsOf(id)).size).toBe(3));
        const expected = await alertIdsOf(id);
        await eventually(() => expect(receiver.acceptedIds('/flaky')).toEqual(expected), 30_000);
        const log = await call('GET', `/subscriptions/${id}/deliveries`, keys.owner);
        expect(log.status).toBe(200);
        await eventually(async () => {
          const { body } = await call('GET', `/subscriptions/${id}/deliveries`, keys.owner);
          expect(body.items.map((item: any) => item.state)).toEqual(['delivered', 'delivered', 'delivered']);
          const attempts = body.items.flatMap((item: any) => item.attemptLog);
          expect(attempts.filter((a: any) => a.outcome === 'failed' && a.status === 500)).toHaveLength(4);
        });
      }));

    it('a receiver that times out is retried, and a dead delivery can be redelivered', () =>
      withLogs(async () => {
        let calls = 0;
        receiver.set('/timeout', (_received, res) => {
          if (++calls === 1) return; // left hanging past the attempt deadline
          res.writeHead(204).end();
        });
        receiver.set('/gone', { status: 410 });
        const { id } = await subscribe({
          name: 'timeouts',
          filter: { keywords: ['timeout test'] },
          channels: [
            { type: 'webhook', url: receiver.url('/timeout') },
            { type: 'webhook', url: receiver.url('/gone') },
          ],
        });
        await detect({ summary: 'timeout test' });
        await eventually(async () => expect((await alertIdsOf(id)).size).toBe(1));
        const expected = await alertIdsOf(id);
        await eventually(() => expect(receiver.acceptedIds('/timeout')).toEqual(expected), 30_000);
        expect(receiver.received('/timeout')).toHaveLength(2);

        const dead = await eventually(async () => {
          const { body } = await call('GET', `/subscriptions/${id}/deliveries?state=dead`, keys.owner);
          expect(body.items).toHaveLength(1);
          expect(body.items[0].lastError).toMatch(/permanent failure: HTTP 410/);
          return body.items[0];
        });
        receiver.set('/gone', { status: 204 });
        const redelivered = await call(
          'POST',
          `/subscriptions/${id}/deliveries/${dead.id}/redeliver`,
          keys.owner,
        );
        expect(redelivered).toEqual({ status: 202, body: { queued: 1 } });
        await eventually(() => expect(receiver.acceptedIds('/gone')).toEqual(expected));
        expect(
          (await call('POST', `/subscriptions/${id}/deliveries/redeliver-dead`, keys.owner)).body,
        ).toEqual({
          queued: 0,
        });
        expect(
          (await call('POST', `/subscriptions/${id}/deliveries/${dead.id}/redeliver`, keys.other)).status,
        ).toBe(404);
      }));

    it('killing the alerter (kill -9) mid-delivery loses nothing', () =>
      withLogs(async () => {
        const held: Array<() => void> = [];
        receiver.set('/hold', (_received, res) => void held.push(() => res.writeHead(204).end()));
        const { id } = await subscribe({
          name: 'crash',
          filter: { keywords: ['crash test'] },
          channels: [{ type: 'webhook', url: receiver.url('/hold') }],
        });
        for (let i = 0; i < 5; i++) await detect({ summary: `crash test ${i}` });
        // Deliveries are in flight (the receiver holds them) when the alerter dies.
        await eventually(() => expect(receiver.received('/hold').length).toBeGreaterThan(0));
        const alerter = pipeline.apps.get('alerter')!;
        alerter.child.kill('SIGKILL');
        await alerter.exited;
        // More detections arrive while it is down.
        for (let i = 5; i < 8; i++) await detect({ summary: `crash test ${i}` });
        held.forEach((answer) => answer());
        receiver.set('/hold', { status: 204 });
        await launchAlerter();
        // Detections the killed process had pulled come back after the consumer's ack_wait
        // (30 s), deliveries it held after their lease: minutes are allowed on a loaded machine.
        await eventually(async () => expect((await alertIdsOf(id)).size).toBe(8), 120_000);
        const expected = await alertIdsOf(id);
        await eventually(() => expect(receiver.acceptedIds('/hold')).toEqual(expected), 60_000);
        const jsm = await jetstreamManager(nc);
        await eventually(async () => {
          const info = await jsm.consumers.info(topology(namespace).eventStream, 'alerter');
          expect(info.num_pending + info.num_ack_pending).toBe(0);
        }, 120_000);
        const { rows } = await db.query(
          `SELECT state, count(*)::int AS n FROM alert_deliveries WHERE subscription_id = $1 GROUP BY state`,
          [id],
        );
        expect(rows).toEqual([{ state: 'delivered', n: 8 }]);
      }));
  });

  describe('the SSE stream of a subscription', () => {
    it('sends new alerts with their numbers and resumes after Last-Event-ID', () =>
      withLogs(async () => {
        const { id } = await subscribe({ name: 'sse', filter: { keywords: ['stream test'] } });
        const url = `${apiUrl}/subscriptions/${id}/stream`;
        const first = openStream(url, keys.owner);
        await eventually(() => expect(first.status()).toBe(200));
        await detect({ summary: 'stream test 1' });
        await detect({ summary: 'stream test 2' });
        await eventually(() => expect(first.events.map((event) => event.id)).toEqual(['1', '2']));
        expect(first.events.map((event) => event.data.diplomaticEvent.summary)).toEqual([
          'stream test 1',
          'stream test 2',
        ]);
        await first.close();

        await detect({ summary: 'stream test 3' });
        await detect({ summary: 'stream test 4' });
        await eventually(async () => expect((await alertIdsOf(id)).size).toBe(4));
        const resumed = openStream(url, keys.owner, '2');
        await eventually(() => expect(resumed.events.map((event) => event.id)).toEqual(['3', '4']));
        await detect({ summary: 'stream test 5' });
        await eventually(() => expect(resumed.events.map((event) => event.id)).toEqual(['3', '4', '5']));
        await resumed.close();

        const fresh = openStream(url, keys.owner);
        await eventually(() => expect(fresh.status()).toBe(200));
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(fresh.events).toEqual([]);
        await fresh.close();
      }));
  });

  describe('"send a sample" and the other channels', () => {
    it('sends a marked sample to a webhook, a Slack and a Teams webhook and the NATS subject', () =>
      withLogs(async () => {
        const { id } = await subscribe({
          name: 'channels',
          filter: { keywords: ['never matches anything'] },
          channels: [
            { type: 'webhook', url: receiver.url('/sample') },
            { type: 'slack', url: receiver.url('/services/T000/B000/XXXX') },
            { type: 'teams', url: receiver.url('/teams') },
            { type: 'nats' },
          ],
        });
        const listed = await call('GET', `/subscriptions/${id}`, keys.owner);
        expect(listed.body.channels[1]).toEqual({ type: 'slack', target: `${receiver.origin}/…` });
        expect(listed.body.natsSubject).toBe(`${namespace}.alerts.${id}`);

        const sample = await call('POST', `/subscriptions/${id}/sample`, keys.owner);
        expect(sample.status).toBe(202);
        expect(sample.body).toMatchObject({ alertId: expect.stringMatching(/^alrt_sample_/), deliveries: 4 });
        const alertId = sample.body.alertId as string;
        await eventually(() => {
          expect(receiver.acceptedIds('/sample')).toEqual(new Set([alertId]));
          expect(receiver.acceptedIds('/services/T000/B000/XXXX')).toEqual(new Set([alertId]));
          expect(receiver.acceptedIds('/teams')).toEqual(new Set([alertId]));
        });
        expect(JSON.parse(receiver.received('/sample')[0]!.body)).toMatchObject({
          kind: 'sample',
          id: alertId,
        });
        const slack = JSON.parse(receiver.received('/services/T000/B000/XXXX')[0]!.body);
        expect(slack.text).toMatch(/^Sample alert/);
        expect(slack.blocks[0].type).toBe('header');
        const teams = JSON.parse(receiver.received('/teams')[0]!.body);
        expect(teams.attachments[0].content.type).toBe('AdaptiveCard');

        const jsm = await jetstreamManager(nc);
        const stream = alertTopology(namespace).alertStream;
        await eventually(async () =>
          expect((await jsm.streams.info(stream)).state.messages).toBeGreaterThan(0),
        );
        await jsm.consumers.add(stream, {
          name: 'e2e-reader',
          ack_policy: AckPolicy.None,
          deliver_policy: DeliverPolicy.All,
          filter_subject: `${namespace}.alerts.${id}`,
        });
        const consumer = await jetstream(nc).consumers.get(stream, 'e2e-reader');
        const message = await consumer.next({ expires: 5000 });
        expect(message?.headers?.get('Diplowatch-Alert-Id')).toBe(alertId);
        expect(message?.json()).toMatchObject({ kind: 'sample', subscriptionId: id });
        const sse = await call('GET', `/subscriptions/${id}/alerts`, keys.owner);
        expect(sse.body.items.map((item: any) => item.id)).toEqual([alertId]);
      }));
  });
});
