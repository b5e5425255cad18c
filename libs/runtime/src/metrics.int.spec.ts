import {
  type INestApplication,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type NatsConnection } from '@nats-io/transport-node';
import { baseEnvSchema, parseEnv } from '@diplowatch/config';
import { createEvent } from '@diplowatch/contracts';
import {
  EventConsumer,
  JetStreamService,
  ensureDurableConsumer,
  messagingOptionsProvider,
} from '@diplowatch/messaging';
import {
  connectTestNats,
  deleteNamespace,
  eventually,
  testNamespace,
  testNatsUrl,
} from '@diplowatch/testing';
import { bootApp } from './bootstrap';

const quietLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

const ingested = (id: string) =>
  createEvent('ArticleIngested', {
    id,
    data: {
      articleId: id,
      contentHash: 'h1',
      feedUrl: 'https://example.org/feed.xml',
      url: `https://example.org/${id}`,
      canonicalUrl: `https://example.org/${id}`,
      guid: null,
      title: `title ${id}`,
      text: 'text',
      rawContent: null,
      author: null,
      language: 'en',
      publishedAt: '2025-02-24T08:00:00.000Z',
      fetchedAt: '2025-02-24T09:00:00.000Z',
    },
  });

const SEEN = Symbol('SEEN');

/** A worker like the real ones: a batch consumer built the way the apps build theirs. */
@Injectable()
class CountingWorker implements OnApplicationShutdown {
  private consumer: EventConsumer | undefined;
  constructor(
    private readonly jetstream: JetStreamService,
    @Inject(SEEN) private readonly seen: string[],
  ) {}

  async start() {
    await this.jetstream.connect();
    const { topology } = this.jetstream;
    await ensureDurableConsumer(this.jetstream.jsm, {
      stream: topology.eventStream,
      durable: 'counter',
      maxDeliver: 3,
    });
    this.consumer = new EventConsumer({
      js: this.jetstream.js,
      topology,
      durable: 'counter',
      maxDeliver: 3,
      logger: quietLogger,
      metrics: this.jetstream.metrics,
      lagPollMs: 200,
      batchHandler: async (batch) => {
        this.seen.push(...batch.map((c) => c.event.id));
      },
    });
    await this.consumer.start();
  }

  async onApplicationShutdown() {
    await this.consumer?.stop();
  }
}

/** The value of one series in a Prometheus text exposition, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labelText = line.slice(name.length + 1, line.lastIndexOf('}'));
    if (wanted.every((pair) => labelText.split(',').includes(pair))) return Number(line.split(' ').pop());
  }
  return undefined;
}

describe('GET /metrics on a booted app (real nats-server)', () => {
  const namespace = testNamespace('metrics');
  const seen: string[] = [];
  let app: INestApplication;
  let nc: NatsConnection;
  let url: string;

  beforeAll(async () => {
    nc = await connectTestNats();
    @Module({
      providers: [
        messagingOptionsProvider(
          parseEnv(baseEnvSchema, { NATS_URL: testNatsUrl(), DW_NAMESPACE: namespace }),
          'metrics-test',
        ),
        { provide: SEEN, useValue: seen },
        JetStreamService,
        CountingWorker,
      ],
    })
    class TestWorkerModule {}
    app = await bootApp(TestWorkerModule, { name: 'metrics-test', port: 0, logLevel: 'error' });
    url = `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/metrics`;
    await app.get(CountingWorker).start();
  });

  afterAll(async () => {
    await app?.close();
    await deleteNamespace(nc, namespace);
    await nc.drain();
  });

  it('counts events published and consumed, dead letters, handler latency and consumer lag', async () => {
    const jetstream = app.get(JetStreamService);
    for (const id of ['m1', 'm2', 'm3', 'm1']) await jetstream.publisher.publish(ingested(id));
    await jetstream.js.publish(
      jetstream.topology.subjectFor('ArticleIngested'),
      new TextEncoder().encode('{bad'),
    );
    await eventually(() => expect(seen.sort()).toEqual(['m1', 'm2', 'm3']));

    const text = await eventually(async () => {
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      const body = await response.text();
      expect(sample(body, 'diplowatch_events_consumed_total', { type: 'undecodable' })).toBe(1);
      expect(sample(body, 'diplowatch_consumer_pending_messages', { consumer: 'counter' })).toBe(0);
      expect(sample(body, 'diplowatch_consumer_ack_pending_messages', { consumer: 'counter' })).toBe(0);
      return body;
    });
    const app_ = { app: 'metrics-test' };
    expect(
      sample(text, 'diplowatch_events_published_total', {
        ...app_,
        type: 'ArticleIngested',
        outcome: 'stored',
      }),
    ).toBe(3);
    expect(
      sample(text, 'diplowatch_events_published_total', { type: 'ArticleIngested', outcome: 'duplicate' }),
    ).toBe(1);
    expect(
      sample(text, 'diplowatch_events_consumed_total', {
        consumer: 'counter',
        type: 'ArticleIngested',
        outcome: 'ack',
      }),
    ).toBe(3);
    expect(
      sample(text, 'diplowatch_events_consumed_total', {
        consumer: 'counter',
        type: 'undecodable',
        outcome: 'dead_letter',
      }),
    ).toBe(1);
    expect(
      sample(text, 'diplowatch_event_handler_duration_seconds_count', { consumer: 'counter' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'diplowatch_event_handler_batch_size_sum', { consumer: 'counter' })).toBe(3);
    expect(text).toMatch(/^diplowatch_process_cpu_seconds_total\{app="metrics-test"\}/m);
  });

  it('times HTTP requests by route template, not by raw URL', async () => {
    await fetch(url.replace('/metrics', '/no/such/page?secret=1'));
    const text = await (await fetch(url)).text();
    expect(
      sample(text, 'diplowatch_http_request_duration_seconds_count', { route: '/metrics', status: '200' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'diplowatch_http_request_duration_seconds_count', { route: 'unmatched', status: '404' }),
    ).toBe(1);
    expect(text).not.toContain('secret');
  });
});
