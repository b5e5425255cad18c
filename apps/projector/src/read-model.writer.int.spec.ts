import { randomBytes } from 'node:crypto';
import { type DiplomaticEventDetectedV1, type NewsEvent, createEvent } from '@diplowatch/contracts';
import { PrismaService } from '@diplowatch/persistence';
import { NotYetApplicableError, READ_MODEL_PROJECTION, ReadModelWriter } from './read-model.writer';

const unique = () => randomBytes(4).toString('hex');

const articleIngested = (articleId: string, contentHash = 'h1') =>
  createEvent('ArticleIngested', {
    id: `ai-${articleId}-${contentHash}`,
    occurredAt: new Date('2025-02-24T09:00:00Z'),
    data: {
      articleId,
      contentHash,
      feedUrl: 'https://example.org/feed.xml',
      url: `https://example.org/${articleId}`,
      canonicalUrl: `https://example.org/${articleId}`,
      guid: null,
      title: `Shoigu visits Indonesia (${contentHash})`,
      text: 'Sergei Shoigu is visiting Indonesia.',
      rawContent: null,
      author: null,
      language: 'en',
      publishedAt: '2025-02-24T08:00:00.000Z',
      fetchedAt: '2025-02-24T09:00:00.000Z',
    },
  });

const classified = (articleId: string, contentHash = 'h1') =>
  createEvent('ArticleClassified', {
    id: `ac-${articleId}-${contentHash}`,
    occurredAt: new Date('2025-02-24T09:00:01Z'),
    data: {
      articleId,
      contentHash,
      watch: 'russia-sea',
      rulesVersion: '1',
      relevant: true,
      relevance: 0.9,
      eventTypes: ['visit'],
      countries: ['RUS', 'IDN'],
      actors: ['Sergei Shoigu'],
      diplomaticEventIds: [],
      context: [],
      evidence: [],
      reasons: [],
    },
  });

const detected = (
  diplomaticEventId: string,
  articleId: string,
  overrides: Partial<DiplomaticEventDetectedV1> = {},
) =>
  createEvent('DiplomaticEventDetected', {
    id: `de-${diplomaticEventId}-${articleId}`,
    occurredAt: new Date('2025-02-24T09:00:02Z'),
    data: {
      diplomaticEventId,
      articleId,
      watch: 'russia-sea',
      rulesVersion: '1',
      type: 'visit',
      countries: ['RUS', 'IDN'],
      actors: [
        { name: 'Sergei Shoigu', office: 'Security Council Secretary', country: 'RUS', role: 'actor' },
      ],
      confidence: 0.8,
      summary: 'Sergei Shoigu visits Indonesia',
      startDate: '2025-02-24',
      endDate: '2025-02-28',
      place: null,
      topics: ['security'],
      evidence: [{ sentence: 'Sergei Shoigu is visiting Indonesia.', rules: ['visit'] }],
      context: [],
      publishedAt: '2025-02-24T08:00:00.000Z',
      ...overrides,
    },
  });

describe('ReadModelWriter (real Postgres)', () => {
  let prisma: PrismaService;
  let writer: ReadModelWriter;
  let seq = 1000;
  const apply = (event: NewsEvent, sequence = ++seq) =>
    writer.apply({ event, streamSequence: sequence, deliveryCount: 1 });

  beforeAll(() => {
    prisma = new PrismaService({ databaseUrl: process.env.DATABASE_URL!, poolSize: 2 });
    writer = new ReadModelWriter(prisma);
  });

  afterAll(async () => {
    await prisma.onApplicationShutdown();
  });

  it('given an article applied once, when the same event is applied again, then nothing changes', async () => {
    const id = unique();
    await apply(articleIngested(id), 5001);
    const before = await prisma.client.article.findUniqueOrThrow({ where: { id } });
    await apply(articleIngested(id), 5001);
    const after = await prisma.client.article.findUniqueOrThrow({ where: { id } });
    expect(after).toEqual(before);
    expect(await prisma.client.article.count({ where: { id } })).toBe(1);
  });

  it('refuses a classification whose article is not there yet, so it is retried later', async () => {
    await expect(apply(classified(unique()))).rejects.toBeInstanceOf(NotYetApplicableError);
  });

  it('ignores a classification of an older revision', async () => {
    const id = unique();
    await apply(articleIngested(id, 'h1'));
    await apply(articleIngested(id, 'h2'));
    await apply(classified(id, 'h1'));
    const row = await prisma.client.article.findUniqueOrThrow({ where: { id } });
    expect(row.contentHash).toBe('h2');
    expect(row.relevant).toBeNull();
    await apply(classified(id, 'h2'));
    expect((await prisma.client.article.findUniqueOrThrow({ where: { id } })).relevant).toBe(true);
  });

  it('merges two outlets reporting one act into one diplomatic event with two sources, idempotently', async () => {
    const [a1, a2, eventId] = [unique(), unique(), unique()];
    await apply(articleIngested(a1));
    await apply(articleIngested(a2));
    await apply(detected(eventId, a1), 6001);
    await apply(detected(eventId, a2, { countries: ['RUS', 'IDN', 'MYS'], confidence: 0.95 }), 6002);
    await apply(detected(eventId, a2, { countries: ['RUS', 'IDN', 'MYS'], confidence: 0.95 }), 6002);
    await apply(detected(eventId, a1), 6001);
    const row = await prisma.client.diplomaticEvent.findUniqueOrThrow({
      where: { id: eventId },
      include: { sources: true },
    });
    expect(row.sourceCount).toBe(2);
    expect(row.sources.map((s) => s.articleId).sort()).toEqual([a1, a2].sort());
    expect(row.countries).toEqual(['IDN', 'MYS', 'RUS']);
    expect(row.confidence).toBe(0.95);
    expect(row.eventDate.toISOString().slice(0, 10)).toBe('2025-02-24');
    const versions = await prisma.client.diplomaticEventVersion.findMany({
      where: { diplomaticEventId: eventId },
      orderBy: { version: 'asc' },
    });
    expect(versions.map((v) => [v.version, v.change, Number(v.streamSequence)])).toEqual([
      [1, 'created', 6001],
      [2, 'source_added', 6002],
    ]);
  });

  it('stores the highest applied stream sequence as the checkpoint, in the same transaction', async () => {
    await apply(articleIngested(unique()), 9_000_000);
    await apply(articleIngested(unique()), 10);
    const checkpoint = await prisma.client.projectionCheckpoint.findUniqueOrThrow({
      where: { name: READ_MODEL_PROJECTION },
    });
    expect(checkpoint.lastSequence).toBe(9_000_000n);
  });
});
