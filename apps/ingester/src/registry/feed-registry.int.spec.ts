import { type FeedHealthPatch } from '@diplowatch/domain';
import { createPrismaClient, type PrismaClient } from '@diplowatch/persistence';
import { createTestDatabase, type TestDatabase } from '@diplowatch/testing';
import { FeedRegistry } from './feed-registry';

jest.setTimeout(60_000);

describe('FeedRegistry.recordPolls (one statement for many polls)', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let registry: FeedRegistry;

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = createPrismaClient(db.url, 2);
    registry = new FeedRegistry(prisma);
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  const now = new Date('2026-11-27T12:00:00.000Z');
  const base = (nextInSeconds: number): FeedHealthPatch => ({
    lastCheckedAt: now,
    lastOutcome: 'success',
    lastHttpStatus: 200,
    nextCheckAt: new Date(now.getTime() + nextInSeconds * 1000),
    consecutiveFailures: 0,
    failingSince: null,
    itemsSeenIncrement: 0,
    possibleGap: false,
  });

  it('writes each feed its own outcome, body hash and validators, and only rows this worker holds', async () => {
    const urls = ['ok', 'notmod', 'failed', 'stolen'].map((name) => `https://feeds.example.org/${name}.xml`);
    await registry.seed(
      urls.map((url) => ({ url })),
      'config',
      600,
    );
    const claimed = await registry.claimDue('worker-a', 10, 60);
    expect(claimed).toHaveLength(4);
    const id = (name: string) => claimed.find((feed) => feed.url.endsWith(`/${name}.xml`))!.id;
    // Earlier state the patches must keep where they say nothing.
    await prisma.feed.update({ where: { id: id('notmod') }, data: { etag: '"old"', bodyHash: 'v1:old' } });
    await prisma.feed.update({ where: { id: id('failed') }, data: { bodyHash: 'v1:kept' } });
    // Its lease expired and another replica took it over.
    await prisma.feed.update({ where: { id: id('stolen') }, data: { leasedBy: 'worker-b' } });

    const written = await registry.recordPolls('worker-a', [
      {
        id: id('ok'),
        patch: { ...base(600), etag: '"e1"', lastModified: null, lastItemCount: 3, itemsSeenIncrement: 3 },
        bodyHash: 'v1:new',
      },
      // A field present but undefined is absent, as one left out.
      {
        id: id('notmod'),
        patch: { ...base(700), lastOutcome: 'not_modified', lastHttpStatus: 304, etag: undefined },
      },
      {
        id: id('failed'),
        patch: {
          ...base(60),
          lastOutcome: 'error',
          lastHttpStatus: 500,
          consecutiveFailures: 1,
          failingSince: now,
          lastErrorAt: now,
          lastErrorCode: 'http_status',
          lastError: 'HTTP 500',
        },
      },
      { id: id('stolen'), patch: { ...base(600), lastOutcome: 'error' }, bodyHash: 'v1:stolen' },
    ]);

    expect(written).toEqual(new Set([id('ok'), id('notmod'), id('failed')]));
    const rows = new Map((await prisma.feed.findMany()).map((row) => [row.id, row]));
    expect(rows.get(id('ok'))).toMatchObject({
      lastOutcome: 'success',
      etag: '"e1"',
      bodyHash: 'v1:new',
      itemsSeen: 3n,
      lastItemCount: 3,
      nextCheckAt: new Date(now.getTime() + 600_000),
      leasedBy: null,
    });
    expect(rows.get(id('notmod'))).toMatchObject({
      lastOutcome: 'not_modified',
      lastHttpStatus: 304,
      etag: '"old"',
      bodyHash: 'v1:old',
      nextCheckAt: new Date(now.getTime() + 700_000),
      leasedBy: null,
    });
    expect(rows.get(id('failed'))).toMatchObject({
      lastOutcome: 'error',
      lastErrorCode: 'http_status',
      consecutiveFailures: 1,
      failingSince: now,
      bodyHash: 'v1:kept',
      leasedBy: null,
    });
    expect(rows.get(id('stolen'))).toMatchObject({ lastOutcome: null, bodyHash: null, leasedBy: 'worker-b' });
  });
});
