/**
 * A full log is back-pressure, not a poison message: while the event log is at its limit
 * (discard: new) the classifier's publishes are refused, and its input must wait — not be
 * nak'ed toward max_deliver and dead-lettered. Here the retry budget is 2 deliveries and the
 * ack wait 3 s, so the old behaviour (nak with backoff, dead-letter at the last delivery) would
 * have parked articles within seconds; the log stays full for several ack waits.
 */
import { type JetStreamManager, jetstream as jetstreamClient, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/transport-node';
import { type Topology, topology } from '@diplowatch/contracts';
import { EventPublisher, JetStreamService, ensureStreams } from '@diplowatch/messaging';
import { HealthRegistry } from '@diplowatch/runtime';
import {
  articleIngested,
  connectTestNats,
  deleteNamespace,
  eventually,
  testNamespace,
  testNatsUrl,
} from '@diplowatch/testing';
import { ClassifierService } from './classifier.service';

jest.setTimeout(120_000);

const ARTICLES = 30;
/** Room for every article and 5 more events: the classifier fills it almost at once. */
const LOG_LIMIT = ARTICLES + 5;

const ingested = (id: string) =>
  articleIngested(id, 'h1', {
    title: `Sergei Shoigu visits Jakarta (${id})`,
    text: 'Russian Security Council Secretary Sergei Shoigu met Indonesian officials in Jakarta.',
  });

describe('classifier against a full log (real nats-server)', () => {
  const namespace = testNamespace('cbp');
  const t: Topology = topology(namespace);
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let jetstream: JetStreamService;
  let classifier: ClassifierService;

  const count = async (type: 'ArticleIngested' | 'ArticleClassified') => {
    const subject = t.subjectFor(type);
    const info = await jsm.streams.info(t.eventStream, { subjects_filter: subject });
    return info.state.subjects?.[subject] ?? 0;
  };

  beforeAll(async () => {
    nc = await connectTestNats();
    jsm = await jetstreamManager(nc);
    await ensureStreams(jsm, t, { duplicateWindowSeconds: 120, maxAgeDays: 0, maxMessages: LOG_LIMIT });
    const settings = { duplicateWindowSeconds: 120, maxAgeDays: 0 };
    const publisher = new EventPublisher(jetstreamClient(nc), t);
    await publisher.publishAll(Array.from({ length: ARTICLES }, (_, i) => ingested(`bp-${i}`)));
    jetstream = new JetStreamService({
      natsUrl: testNatsUrl(),
      namespace,
      appName: 'classifier',
      streams: settings,
    });
    classifier = new ClassifierService(jetstream, new HealthRegistry(), { maxDeliver: 2, ackWaitSeconds: 3 });
  });

  afterAll(async () => {
    await classifier?.onApplicationShutdown();
    await jetstream?.onApplicationShutdown();
    await deleteNamespace(nc, namespace);
    await nc.drain();
  });

  it('holds its input while the log is full, dead-letters nothing, and finishes once there is room', async () => {
    await classifier.onApplicationBootstrap();
    // The log fills: the first few classifications fit, the rest are refused.
    await eventually(async () =>
      expect((await jsm.streams.info(t.eventStream)).state.messages).toBe(LOG_LIMIT),
    );
    expect(await count('ArticleClassified')).toBeLessThan(ARTICLES);
    // Full for several ack waits and far past the retry budget of 2 deliveries.
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    expect((await jsm.streams.info(t.deadLetterStream)).state.messages).toBe(0);
    const held = await jsm.consumers.info(t.eventStream, 'classifier');
    // Held in place (marked in progress), not nak'ed or left to time out and be redelivered.
    expect(held.num_redelivered).toBe(0);
    expect(held.num_ack_pending).toBeGreaterThan(0);

    // Room is made: every article gets classified, nothing is parked.
    const { config } = await jsm.streams.info(t.eventStream);
    await jsm.streams.update(t.eventStream, { ...config, max_msgs: -1 });
    await eventually(
      async () => {
        expect(await count('ArticleClassified')).toBe(ARTICLES);
        const info = await jsm.consumers.info(t.eventStream, 'classifier');
        expect(info.num_pending + info.num_ack_pending).toBe(0);
      },
      60_000,
      250,
    );
    expect((await jsm.streams.info(t.deadLetterStream)).state.messages).toBe(0);
  });
});
