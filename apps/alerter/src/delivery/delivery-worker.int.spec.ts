import {
  type AlertPayload,
  buildSampleAlert,
  createSubscriptionSchema,
  parseAddressAllowList,
  parseSecretKey,
  receiverAddressPolicy,
  sealSecret,
  verifyWebhookSignature,
} from '@diplowatch/domain';
import { type JetStreamService } from '@diplowatch/messaging';
import { PrismaService } from '@diplowatch/persistence';
import { createTestDatabase, eventually, type TestDatabase } from '@diplowatch/testing';
import { type AlertReceiver, startAlertReceiver } from '../../../../bench/alerts/receiver';
import { storeAlerts } from '../alert-store';
import { DeliveryStore } from './delivery-store';
import { DeliveryWorker } from './delivery-worker';
import { ReceiverClient } from './receiver-client';

jest.setTimeout(60_000);

const key = parseSecretKey('11'.repeat(32));
const secret = 'whsec_delivery-test';

describe('DeliveryWorker (real Postgres, local receivers)', () => {
  let database: TestDatabase;
  let prisma: PrismaService;
  let worker: DeliveryWorker;
  let receiver: AlertReceiver;
  let other: AlertReceiver;
  let client: ReceiverClient;
  let subscriptionCount = 0;

  /** A subscription whose channels are webhooks to these URLs, and `count` alerts for it. */
  const alertsTo = async (urls: string[], count: number) => {
    const id = `sub_${String(++subscriptionCount).padStart(24, '0')}`;
    const input = createSubscriptionSchema.parse({
      name: id,
      channels: urls.map((url) => ({ type: 'webhook', url })),
    });
    await prisma.client.alertSubscription.create({
      data: {
        id,
        ownerKeyId: 'k1',
        name: id,
        filter: input.filter,
        options: input.options,
        channels: input.channels,
        status: 'active',
        secretSealed: sealSecret(secret, key),
        createdAt: new Date(),
        updatedAt: new Date(),
      },
    });
    const payloads: AlertPayload[] = Array.from({ length: count }, () =>
      buildSampleAlert({ id, name: id }, new Date()),
    );
    await prisma.client.$transaction((tx) =>
      storeAlerts(
        tx,
        payloads.map((payload) => ({ payload, diplomaticEventId: null })),
        new Date(),
      ),
    );
    worker.wake();
    return { id, alertIds: payloads.map((payload) => payload.id) };
  };

  const deliveriesOf = (subscriptionId: string) =>
    prisma.client.alertDelivery.findMany({
      where: { subscriptionId },
      include: { attemptLog: { orderBy: { id: 'asc' } } },
      orderBy: { id: 'asc' },
    });

  beforeAll(async () => {
    database = await createTestDatabase();
    prisma = new PrismaService({ databaseUrl: database.url, poolSize: 8 });
    receiver = await startAlertReceiver();
    other = await startAlertReceiver();
    client = new ReceiverClient({
      timeoutMs: 500,
      userAgent: 'test',
      isAllowedAddress: receiverAddressPolicy(parseAddressAllowList('127.0.0.1')),
    });
    worker = new DeliveryWorker(new DeliveryStore(prisma), client, {} as JetStreamService, {
      concurrency: 16,
      perReceiverConcurrency: 2,
      pollIntervalMs: 50,
      attemptTimeoutMs: 500,
      retry: { baseMs: 50, maxMs: 200, maxAttempts: 4 },
      secretKey: key,
    });
    worker.start();
  });

  afterAll(async () => {
    await worker?.stop();
    client?.close();
    await receiver?.close();
    await other?.close();
    await prisma?.client.$disconnect();
    await database?.drop();
  });

  describe('given a healthy receiver', () => {
    it('delivers each alert once, signed with the subscription secret and carrying its id', async () => {
      const { id, alertIds } = await alertsTo([receiver.url('/ok')], 3);
      await eventually(() => expect(receiver.acceptedIds('/ok')).toEqual(new Set(alertIds)));
      const requests = receiver.received('/ok');
      expect(requests).toHaveLength(3);
      for (const request of requests) {
        expect(request.headers['content-type']).toBe('application/json');
        expect(request.headers['diplowatch-subscription-id']).toBe(id);
        expect(JSON.parse(request.body).id).toBe(request.alertId);
        expect(
          verifyWebhookSignature({
            secret,
            body: request.body,
            timestamp: request.headers['diplowatch-timestamp'] as string,
            signatureHeader: request.headers['diplowatch-signature'] as string,
            nowSeconds: Math.floor(Date.now() / 1000),
          }),
        ).toBe(true);
      }
      await eventually(async () =>
        expect((await deliveriesOf(id)).map((d) => [d.state, d.attempts, d.lastStatus])).toEqual([
          ['delivered', 1, 204],
          ['delivered', 1, 204],
          ['delivered', 1, 204],
        ]),
      );
    });
  });

  describe('given a receiver that fails with 500s, then recovers', () => {
    it('retries with backoff until it has every alert, and logs each attempt', async () => {
      let calls = 0;
      receiver.set('/flaky', (_received, res) => {
        calls++;
        res.writeHead(calls <= 6 ? 500 : 204).end(calls <= 6 ? 'down for maintenance' : '');
      });
      const { id, alertIds } = await alertsTo([receiver.url('/flaky')], 4);
      await eventually(() => expect(receiver.acceptedIds('/flaky')).toEqual(new Set(alertIds)));
      await eventually(async () =>
        expect((await deliveriesOf(id)).every((d) => d.state === 'delivered')).toBe(true),
      );
      const log = (await deliveriesOf(id)).flatMap((delivery) => delivery.attemptLog);
      expect(log.filter((attempt) => attempt.outcome === 'failed')).toHaveLength(6);
      expect(log.find((attempt) => attempt.outcome === 'failed')).toMatchObject({
        status: 500,
        error: 'HTTP 500: down for maintenance',
      });
      expect(log.filter((attempt) => attempt.outcome === 'delivered')).toHaveLength(4);
    });
  });

  describe('given a receiver that does not answer in time', () => {
    it('abandons the attempt at the deadline and retries', async () => {
      let calls = 0;
      receiver.set('/slow', (_received, res) => {
        if (++calls === 1) return; // never answered: the attempt times out
        res.writeHead(200).end('ok');
      });
      const { id, alertIds } = await alertsTo([receiver.url('/slow')], 1);
      await eventually(() => expect(receiver.acceptedIds('/slow')).toEqual(new Set(alertIds)));
      await eventually(async () => {
        const [delivery] = await deliveriesOf(id);
        expect(delivery).toMatchObject({ state: 'delivered', attempts: 2 });
        expect(delivery!.attemptLog.map((a) => [a.outcome, a.error])).toEqual([
          ['failed', 'no answer within 500 ms'],
          ['delivered', null],
        ]);
      });
      expect(receiver.received('/slow').map((r) => r.alertId)).toEqual([alertIds[0], alertIds[0]]);
    });
  });

  describe('given a receiver that keeps failing', () => {
    it('dead-letters the delivery after the last attempt, with the reason', async () => {
      receiver.set('/down', { status: 503, body: 'no' });
      const { id } = await alertsTo([receiver.url('/down')], 1);
      await eventually(async () =>
        expect(await deliveriesOf(id)).toMatchObject([
          {
            state: 'dead',
            attempts: 4,
            lastStatus: 503,
            lastError: 'gave up after 4 attempts: HTTP 503: no',
          },
        ]),
      );
      expect(receiver.received('/down')).toHaveLength(4);
    });

    it('dead-letters at once a receiver that says the endpoint is gone (410)', async () => {
      receiver.set('/gone', { status: 410 });
      const { id } = await alertsTo([receiver.url('/gone')], 1);
      await eventually(async () =>
        expect(await deliveriesOf(id)).toMatchObject([{ state: 'dead', attempts: 1 }]),
      );
    });
  });

  describe('given one receiver that hangs and another that answers', () => {
    it('delivers everything to the second while the first holds only its own slots', async () => {
      const hanging: Array<() => void> = [];
      other.set('/stuck', (_received, res) => void hanging.push(() => res.writeHead(204).end()));
      const stuck = await alertsTo([other.url('/stuck')], 10);
      const fast = await alertsTo([receiver.url('/fast')], 10);
      await eventually(() => expect(receiver.acceptedIds('/fast')).toEqual(new Set(fast.alertIds)));
      expect((await deliveriesOf(stuck.id)).filter((d) => d.state === 'delivered')).toHaveLength(0);
      other.set('/stuck', { status: 204 });
      hanging.forEach((answer) => answer());
      await eventually(() => expect(other.acceptedIds('/stuck')).toEqual(new Set(stuck.alertIds)), 30_000);
    });
  });

  describe('DeliveryStore.claim', () => {
    it('claims at most the per-receiver limit minus what is in flight for each receiver', async () => {
      const store = new DeliveryStore(prisma);
      // Deliveries due at two receivers that answer nothing yet: the worker is stopped for this.
      await worker.stop();
      try {
        const a = await alertsTo(['http://198.51.100.1/a'], 6);
        const b = await alertsTo(['http://198.51.100.2/b'], 6);
        const claimed = await store.claim({
          limit: 10,
          perReceiver: 3,
          inFlight: new Map([['http://198.51.100.1', 2]]),
          leaseMs: 60_000,
        });
        const bySubscription = (id: string) => claimed.filter((c) => c.subscriptionId === id).length;
        expect([bySubscription(a.id), bySubscription(b.id)]).toEqual([1, 3]);
        // Claimed rows are leased: a second claim (another replica) gets the rest, never the same.
        const again = await store.claim({ limit: 10, perReceiver: 3, inFlight: new Map(), leaseMs: 60_000 });
        const first = new Set(claimed.map((c) => c.id));
        expect(again.filter((c) => first.has(c.id))).toEqual([]);
        expect(again).toHaveLength(6);
        await prisma.client.alertDelivery.deleteMany({ where: { subscriptionId: { in: [a.id, b.id] } } });
      } finally {
        worker.start();
      }
    });
  });

  describe('given a delivery whose channel was removed from the subscription', () => {
    it('cancels it instead of sending it', async () => {
      receiver.set('/removed', { status: 500 });
      const { id } = await alertsTo([receiver.url('/removed'), receiver.url('/kept')], 1);
      await prisma.client.alertSubscription.update({
        where: { id },
        data: { channels: [{ type: 'webhook', url: receiver.url('/kept') }] },
      });
      await eventually(async () =>
        expect((await deliveriesOf(id)).map((d) => [d.target.split('/').pop(), d.state])).toEqual([
          ['removed', 'cancelled'],
          ['kept', 'delivered'],
        ]),
      );
    });
  });
});
