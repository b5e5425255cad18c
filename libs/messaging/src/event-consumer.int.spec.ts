import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/transport-node';
import { type Topology, createEvent, topology } from '@diplowatch/contracts';
import { connectTestNats, deleteNamespace, eventually, testNamespace } from '@diplowatch/testing';
import { type ConsumedEvent, EventConsumer } from './event-consumer';
import { EventPublisher } from './event-publisher';
import { ensureDurableConsumer, ensureStreams } from './jetstream-setup';

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

describe('JetStream messaging (real nats-server)', () => {
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  let namespace: string;
  let t: Topology;

  beforeAll(async () => {
    nc = await connectTestNats();
    js = jetstream(nc);
    jsm = await jetstreamManager(nc);
  });

  beforeEach(async () => {
    namespace = testNamespace('msg');
    t = topology(namespace);
    await ensureStreams(jsm, t, { duplicateWindowSeconds: 120, maxAgeDays: 0 });
  });

  afterEach(async () => {
    await deleteNamespace(nc, namespace);
  });

  afterAll(async () => {
    await nc.drain();
  });

  it('creates streams and consumers idempotently', async () => {
    await ensureStreams(jsm, t, { duplicateWindowSeconds: 120, maxAgeDays: 0 });
    const spec = { stream: t.eventStream, durable: 'c1', maxDeliver: 5 };
    await ensureDurableConsumer(jsm, spec);
    await ensureDurableConsumer(jsm, spec);
    const info = await jsm.consumers.info(t.eventStream, 'c1');
    expect(info.config.max_deliver).toBe(5);
    expect((await jsm.streams.info(t.deadLetterStream)).config.subjects).toEqual([t.deadLetterSubjects]);
  });

  it('drops a re-published event with the same id (Nats-Msg-Id)', async () => {
    const publisher = new EventPublisher(js, t);
    const first = await publisher.publish(ingested('a1'));
    const again = await publisher.publish(ingested('a1'));
    expect(first.duplicate).toBe(false);
    expect(again.duplicate).toBe(true);
    expect((await jsm.streams.info(t.eventStream)).state.messages).toBe(1);
  });

  it('dead-letters malformed and unknown messages with the reason, acks them, and keeps consuming', async () => {
    await ensureDurableConsumer(jsm, { stream: t.eventStream, durable: 'c2', maxDeliver: 5 });
    await js.publish(t.subjectFor('ArticleIngested'), new TextEncoder().encode('{not json'));
    await js.publish(
      t.subjectFor('ArticleIngested'),
      new TextEncoder().encode(JSON.stringify({ ...ingested('x'), type: 'SomethingElse' })),
    );
    await js.publish(
      t.subjectFor('ArticleIngested'),
      new TextEncoder().encode(JSON.stringify({ ...ingested('y'), data: { articleId: 'y' } })),
    );
    await new EventPublisher(js, t).publish(ingested('good'));

    const seen: ConsumedEvent[] = [];
    const consumer = new EventConsumer({
      js,
      topology: t,
      durable: 'c2',
      maxDeliver: 5,
      logger: quietLogger,
      handler: async (consumed) => {
        seen.push(consumed);
      },
    });
    await consumer.start();
    try {
      await eventually(() => expect(seen.map((c) => c.event.id)).toEqual(['good']));
      const reasons: string[] = [];
      for (let seq = 1; seq <= 3; seq++) {
        const message = await jsm.streams.getMessage(t.deadLetterStream, { seq });
        reasons.push(message!.header.get('Dw-Dead-Letter-Reason'));
      }
      expect(reasons[0]).toMatch(/not JSON/);
      expect(reasons[1]).toMatch(/unknown event type "SomethingElse"/);
      expect(reasons[2]).toMatch(/bad ArticleIngested v1 data: .*contentHash/);
      await eventually(async () =>
        expect((await jsm.consumers.info(t.eventStream, 'c2')).num_ack_pending).toBe(0),
      );
    } finally {
      await consumer.stop();
    }
  });

  it('redelivers after a transient failure and dead-letters after max deliveries', async () => {
    await ensureDurableConsumer(jsm, { stream: t.eventStream, durable: 'c3', maxDeliver: 2 });
    const publisher = new EventPublisher(js, t);
    await publisher.publish(ingested('flaky'));
    await publisher.publish(ingested('broken'));
    const attempts = new Map<string, number>();
    const done: string[] = [];
    const consumer = new EventConsumer({
      js,
      topology: t,
      durable: 'c3',
      maxDeliver: 2,
      logger: quietLogger,
      handler: async ({ event }) => {
        const n = (attempts.get(event.id) ?? 0) + 1;
        attempts.set(event.id, n);
        if (event.id === 'broken' || n === 1) throw new Error(`boom ${n}`);
        done.push(event.id);
      },
    });
    await consumer.start();
    try {
      await eventually(() => expect(done).toEqual(['flaky']), 15_000);
      await eventually(
        async () => expect((await jsm.streams.info(t.deadLetterStream)).state.messages).toBe(1),
        15_000,
      );
      const letter = await jsm.streams.getMessage(t.deadLetterStream, { seq: 1 });
      expect(letter!.header.get('Dw-Dead-Letter-Reason')).toMatch(/broken: boom 2/);
    } finally {
      await consumer.stop();
    }
  });

  describe('in batch mode', () => {
    it('hands over what has arrived as one batch in stream order and acks it after the handler resolves', async () => {
      await ensureDurableConsumer(jsm, { stream: t.eventStream, durable: 'b1', maxDeliver: 5 });
      const publisher = new EventPublisher(js, t);
      await publisher.publishAll(
        Array.from({ length: 50 }, (_, i) => ingested(`b${i}`)),
        8,
      );
      await js.publish(t.subjectFor('ArticleIngested'), new TextEncoder().encode('{not json'));
      const batches: ConsumedEvent[][] = [];
      const consumer = new EventConsumer({
        js,
        topology: t,
        durable: 'b1',
        maxDeliver: 5,
        logger: quietLogger,
        maxBatch: 20,
        batchHandler: async (batch) => {
          batches.push(batch);
        },
      });
      await consumer.start();
      try {
        await eventually(() => expect(batches.flat()).toHaveLength(50));
        const sequences = batches.flat().map((c) => c.streamSequence);
        expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
        expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(20);
        await eventually(async () => {
          const info = await jsm.consumers.info(t.eventStream, 'b1');
          expect(info.num_ack_pending + info.num_pending).toBe(0);
        });
        // The undecodable one was dead-lettered on its own.
        expect((await jsm.streams.info(t.deadLetterStream)).state.messages).toBe(1);
      } finally {
        await consumer.stop();
      }
    });

    it('retries only the messages the handler reports as failed, and isolates a batch that throws', async () => {
      await ensureDurableConsumer(jsm, { stream: t.eventStream, durable: 'b2', maxDeliver: 2 });
      const publisher = new EventPublisher(js, t);
      for (const id of ['ok1', 'later', 'poison', 'ok2']) await publisher.publish(ingested(id));
      const applied: string[] = [];
      const attempts = new Map<string, number>();
      const consumer = new EventConsumer({
        js,
        topology: t,
        durable: 'b2',
        maxDeliver: 2,
        logger: quietLogger,
        lingerMs: 50,
        batchHandler: async (batch) => {
          // Like a transaction: a poisoned batch applies nothing.
          if (batch.some((c) => c.event.id === 'poison')) throw new Error('poisoned');
          const failures = [];
          for (const c of batch) {
            const n = (attempts.get(c.event.id) ?? 0) + 1;
            attempts.set(c.event.id, n);
            if (c.event.id === 'later' && n === 1) {
              failures.push({ streamSequence: c.streamSequence, error: new Error('not yet') });
            } else applied.push(c.event.id);
          }
          return { failures };
        },
      });
      await consumer.start();
      try {
        await eventually(() => expect(applied.sort()).toEqual(['later', 'ok1', 'ok2']), 15_000);
        await eventually(
          async () => expect((await jsm.streams.info(t.deadLetterStream)).state.messages).toBe(1),
          15_000,
        );
        const letter = await jsm.streams.getMessage(t.deadLetterStream, { seq: 1 });
        expect(letter!.header.get('Dw-Dead-Letter-Reason')).toMatch(/poison: poisoned/);
        expect(attempts.get('ok1')).toBe(1);
      } finally {
        await consumer.stop();
      }
    });
  });
});
