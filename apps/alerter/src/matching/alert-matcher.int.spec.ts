import { createEvent, type DiplomaticEventDetectedV1 } from '@diplowatch/contracts';
import {
  type CreateSubscription,
  createSubscriptionSchema,
  generateWebhookSecret,
  parseSecretKey,
  sealSecret,
} from '@diplowatch/domain';
import { type ConsumedEvent } from '@diplowatch/messaging';
import { PrismaService } from '@diplowatch/persistence';
import { createTestDatabase, type TestDatabase } from '@diplowatch/testing';
import { DigestScheduler } from '../digest/digest-scheduler';
import { AlertMatcher } from './alert-matcher';
import { SubscriptionCache } from './subscription-cache';

const key = parseSecretKey('00'.repeat(32));

const detection = (overrides: Partial<DiplomaticEventDetectedV1> = {}): DiplomaticEventDetectedV1 => ({
  diplomaticEventId: 'de-shoigu',
  articleId: 'a-1',
  watch: 'russia-sea',
  rulesVersion: '1.0.0',
  type: 'visit',
  countries: ['RUS', 'IDN', 'MYS'],
  actors: [{ name: 'Sergei Shoigu', office: 'Security Council Secretary', country: 'RUS', role: 'actor' }],
  confidence: 0.8,
  summary: 'Visit: RUS, IDN, MYS — Sergei Shoigu',
  startDate: '2025-02-24',
  endDate: '2025-02-28',
  place: null,
  topics: ['defense', 'security'],
  evidence: [{ sentence: 'Shoigu is visiting Indonesia and Malaysia.', rules: ['visit'] }],
  context: [],
  publishedAt: '2025-02-24T08:00:00.000Z',
  ...overrides,
});

let sequence = 0;
const consumed = (data: DiplomaticEventDetectedV1, occurredAt = new Date()): ConsumedEvent => ({
  event: createEvent('DiplomaticEventDetected', {
    id: `d-${data.diplomaticEventId}-${data.articleId}`,
    data,
    occurredAt,
  }),
  streamSequence: ++sequence,
  deliveryCount: 1,
});

describe('AlertMatcher (real Postgres)', () => {
  let database: TestDatabase;
  let prisma: PrismaService;
  let matcher: AlertMatcher;

  const subscribe = async (
    id: string,
    input: Partial<CreateSubscription> & Record<string, unknown>,
    createdAt = new Date(Date.now() - 60_000),
  ) => {
    const parsed = createSubscriptionSchema.parse({
      name: id,
      channels: [{ type: 'webhook', url: 'https://hooks.example.org/a' }],
      ...input,
    });
    await prisma.client.alertSubscription.create({
      data: {
        id,
        ownerKeyId: 'k1',
        name: parsed.name,
        filter: parsed.filter,
        options: parsed.options,
        channels: parsed.channels,
        status: 'active',
        secretSealed: sealSecret(generateWebhookSecret(), key),
        createdAt,
        updatedAt: new Date(),
      },
    });
  };
  const alertsOf = (subscriptionId: string) =>
    prisma.client.alert.findMany({
      where: { subscriptionId },
      orderBy: { seq: 'asc' },
      include: { deliveries: true },
    });

  beforeAll(async () => {
    database = await createTestDatabase();
    prisma = new PrismaService({ databaseUrl: database.url, poolSize: 4 });
    matcher = new AlertMatcher(prisma, new SubscriptionCache(prisma));
    await subscribe('sub_idn', { filter: { countries: ['IDN'] } as never });
    await subscribe('sub_upd', {
      filter: { actors: ['Shoigu'] } as never,
      options: { updates: true } as never,
    });
    await subscribe('sub_vnm', { filter: { countries: ['VNM'] } as never });
  });

  afterAll(async () => {
    await prisma?.client.$disconnect();
    await database?.drop();
  });

  describe('given a detection that matches two subscriptions', () => {
    const first = consumed(detection());

    it('stores one alert each, numbered, with one pending delivery per channel', async () => {
      const stored = await matcher.apply(first);
      expect(stored.map((alert) => alert.subscriptionId).sort()).toEqual(['sub_idn', 'sub_upd']);
      const [alert] = await alertsOf('sub_idn');
      expect(alert).toMatchObject({ seq: 1, kind: 'diplomatic_event.new', diplomaticEventId: 'de-shoigu' });
      expect(alert!.deliveries).toHaveLength(1);
      expect(alert!.deliveries[0]).toMatchObject({
        state: 'pending',
        channelType: 'webhook',
        receiverKey: 'https://hooks.example.org',
      });
      expect(await alertsOf('sub_vnm')).toEqual([]);
    });

    it('stores nothing more when the same detection is delivered again', async () => {
      expect(await matcher.apply(first)).toEqual([]);
      expect(await prisma.client.alert.count()).toBe(2);
      expect(await prisma.client.alertDelivery.count()).toBe(2);
    });

    it('stores nothing more when two deliveries of one detection race', async () => {
      const again = { ...first, streamSequence: first.streamSequence };
      await Promise.all([matcher.apply(again), matcher.apply(again), matcher.apply(again)]);
      expect(await prisma.client.alert.count()).toBe(2);
    });
  });

  describe('when another outlet reports the same diplomatic event', () => {
    it('sends an update to the subscription that asked for updates only', async () => {
      const stored = await matcher.apply(consumed(detection({ articleId: 'a-2' })));
      expect(stored.map((alert) => alert.subscriptionId)).toEqual(['sub_upd']);
      const alerts = await alertsOf('sub_upd');
      expect(alerts.map((alert) => [alert.seq, alert.kind])).toEqual([
        [1, 'diplomatic_event.new'],
        [2, 'diplomatic_event.updated'],
      ]);
      expect(alerts[1]!.payload).toMatchObject({
        change: { sourceAdded: true },
        diplomaticEvent: { sourceCount: 2 },
      });
      expect(await alertsOf('sub_idn')).toHaveLength(1);
    });
  });

  describe('given a batch of detections (what arrived together)', () => {
    it('applies them in one transaction, with the alerts one by one would give', async () => {
      await subscribe('sub_batch', {
        filter: { countries: ['PHL'] } as never,
        options: { updates: true } as never,
      });
      const batch = [
        consumed(detection({ diplomaticEventId: 'de-phl-1', articleId: 'p-1', countries: ['RUS', 'PHL'] })),
        consumed(detection({ diplomaticEventId: 'de-phl-1', articleId: 'p-2', countries: ['RUS', 'PHL'] })),
        consumed(detection({ diplomaticEventId: 'de-phl-2', articleId: 'p-3', countries: ['RUS', 'PHL'] })),
      ];
      const stored = await matcher.applyBatch([...batch, batch[0]!]);
      const mine = stored.filter((alert) => alert.subscriptionId === 'sub_batch');
      expect(mine.map((alert) => alert.seq)).toEqual([1, 2, 3]);
      expect((await alertsOf('sub_batch')).map((alert) => [alert.diplomaticEventId, alert.kind])).toEqual([
        ['de-phl-1', 'diplomatic_event.new'],
        ['de-phl-1', 'diplomatic_event.updated'],
        ['de-phl-2', 'diplomatic_event.new'],
      ]);
      expect(await matcher.applyBatch(batch)).toEqual([]);
    });
  });

  describe('given a subscription created after the detection was recorded', () => {
    it('is not told about it', async () => {
      await subscribe('sub_late', {}, new Date(Date.now() + 60_000));
      await matcher.apply(consumed(detection({ diplomaticEventId: 'de-late', articleId: 'a-9' })));
      expect(await alertsOf('sub_late')).toEqual([]);
    });
  });

  describe('given a paused subscription', () => {
    it('is not told until resumed', async () => {
      await subscribe('sub_pause', { filter: { countries: ['THA'] } as never });
      await prisma.client.alertSubscription.update({
        where: { id: 'sub_pause' },
        data: { status: 'paused', updatedAt: new Date() },
      });
      await matcher.apply(
        consumed(detection({ diplomaticEventId: 'de-tha-1', articleId: 'a-10', countries: ['RUS', 'THA'] })),
      );
      expect(await alertsOf('sub_pause')).toEqual([]);
      await prisma.client.alertSubscription.update({
        where: { id: 'sub_pause' },
        data: { status: 'active', updatedAt: new Date() },
      });
      await matcher.apply(
        consumed(detection({ diplomaticEventId: 'de-tha-2', articleId: 'a-11', countries: ['RUS', 'THA'] })),
      );
      expect((await alertsOf('sub_pause')).map((alert) => alert.diplomaticEventId)).toEqual(['de-tha-2']);
    });
  });

  describe('given a subscription that asks for spikes', () => {
    it('alerts once when the week count for its pair reaches the threshold', async () => {
      await subscribe('sub_spike', {
        filter: { pair: ['RUS', 'LAO'] } as never,
        options: { instant: false, spikes: { minCount: 3 } } as never,
      });
      for (let i = 1; i <= 4; i++) {
        await matcher.apply(
          consumed(
            detection({
              diplomaticEventId: `de-lao-${i}`,
              articleId: `a-lao-${i}`,
              countries: ['RUS', 'LAO'],
              type: 'agreement',
            }),
          ),
        );
      }
      const alerts = await alertsOf('sub_spike');
      expect(alerts.map((alert) => alert.kind)).toEqual(['spike']);
      expect(alerts[0]!.payload).toMatchObject({ spike: { key: 'pair:LAO-RUS', count: 3, threshold: 3 } });
    });
  });

  describe('given a subscription that asks for a daily digest', () => {
    it('builds the digest of yesterday once, and nothing for a quiet day', async () => {
      const yesterday = new Date(Date.now() - 86_400_000);
      await subscribe(
        'sub_digest',
        { filter: { countries: ['KHM'] } as never, options: { instant: false, digest: 'daily' } as never },
        new Date(yesterday.getTime() - 86_400_000),
      );
      await matcher.apply(
        consumed(
          detection({ diplomaticEventId: 'de-khm', articleId: 'a-khm', countries: ['RUS', 'KHM'] }),
          yesterday,
        ),
      );
      const digests = new DigestScheduler(prisma);
      const stored = await digests.runOnce(new Date(), 0);
      expect(stored.filter((alert) => alert.subscriptionId === 'sub_digest')).toHaveLength(1);
      const [digest] = await alertsOf('sub_digest');
      expect(digest!.payload).toMatchObject({
        kind: 'digest',
        digest: { cadence: 'daily', total: 1, events: [{ id: 'de-khm' }] },
      });
      expect(
        (await digests.runOnce(new Date(), 0)).filter((alert) => alert.subscriptionId === 'sub_digest'),
      ).toEqual([]);
    });
  });
});
