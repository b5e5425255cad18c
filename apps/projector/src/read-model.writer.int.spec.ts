import { randomBytes } from 'node:crypto';
import { type NewsEvent, createEvent } from '@diplowatch/contracts';
import { PrismaService } from '@diplowatch/persistence';
import {
  articleIngested,
  articleClassified as classified,
  diplomaticEventDetected as detected,
} from '@diplowatch/testing';
import { ReadModelDatabase } from './read-model.database';
import {
  NotYetApplicableError,
  READ_MODEL_PROJECTION,
  ReadModelWriter,
  SEARCH_DOCUMENT_SOURCES,
} from './read-model.writer';

const unique = () => randomBytes(4).toString('hex');

describe('ReadModelWriter (real Postgres)', () => {
  let prisma: PrismaService;
  let writer: ReadModelWriter;
  let database: ReadModelDatabase;
  let seq = 1000;
  const apply = (event: NewsEvent, sequence = ++seq) =>
    writer.apply({ event, streamSequence: sequence, deliveryCount: 1 });

  beforeAll(() => {
    prisma = new PrismaService({ databaseUrl: process.env.DATABASE_URL!, poolSize: 2 });
    database = new ReadModelDatabase({ databaseUrl: process.env.DATABASE_URL!, poolSize: 2 });
    writer = new ReadModelWriter(database);
  });

  afterAll(async () => {
    await prisma.onApplicationShutdown();
    await database.onApplicationShutdown();
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

  describe('in batches', () => {
    const consumed = (events: NewsEvent[], from: number) =>
      events.map((event, i) => ({ event, streamSequence: from + i, deliveryCount: 1 }));
    const snapshot = async (articleIds: string[]) => ({
      articles: await prisma.client.article.findMany({
        where: { id: { in: articleIds } },
        orderBy: { id: 'asc' },
      }),
      feeds: await prisma.client.articleFeed.findMany({
        where: { articleId: { in: articleIds } },
        orderBy: [{ articleId: 'asc' }, { feedUrl: 'asc' }],
      }),
      sources: await prisma.client.diplomaticEventSource.findMany({
        where: { articleId: { in: articleIds } },
        orderBy: [{ diplomaticEventId: 'asc' }, { articleId: 'asc' }],
      }),
      events: await prisma.client.diplomaticEvent.findMany({
        where: { sources: { some: { articleId: { in: articleIds } } } },
        include: { versions: { orderBy: { version: 'asc' } }, aliases: { orderBy: { alias: 'asc' } } },
        orderBy: { id: 'asc' },
      }),
    });

    it('applies articles, classifications and detections of one batch together, and a replayed batch changes nothing', async () => {
      const [a1, a2, key] = [unique(), unique(), unique()];
      const batch = consumed(
        [
          articleIngested(a1),
          articleIngested(a2),
          classified(a1),
          detected(key, a1, { startDate: '2030-03-10', endDate: null }),
          classified(a2),
          detected(key, a2, { countries: ['RUS', 'IDN', 'MYS'], startDate: '2030-03-10', endDate: null }),
        ],
        20_001,
      );
      await expect(writer.applyBatch(batch)).resolves.toEqual({ failures: [] });
      const first = await snapshot([a1, a2]);
      expect(first.articles.map((a) => [a.relevant, Number(a.lastSequence)])).toEqual(
        [a1, a2].sort().map((id) => [true, id === a1 ? 20_003 : 20_005]),
      );
      expect(first.events).toHaveLength(1);
      expect(first.events[0]).toMatchObject({ id: key, sourceCount: 2, countries: ['IDN', 'MYS', 'RUS'] });
      expect(first.events[0]!.versions.map((v) => v.change)).toEqual(['created', 'source_added']);

      await writer.applyBatch(batch);
      await writer.applyBatch(batch.slice(2));
      expect(await snapshot([a1, a2])).toEqual(first);
    });

    it('consolidates reports with different merge keys into one event: fewer countries, no date, published later', async () => {
      const [a1, a2, a3] = [unique(), unique(), unique()];
      const [k1, k2, k3] = [`k1-${a1}`, `k2-${a2}`, `k3-${a3}`];
      await writer.applyBatch(
        consumed(
          [
            articleIngested(a1),
            articleIngested(a2),
            articleIngested(a3),
            detected(k1, a1, { countries: ['RUS', 'IDN', 'MYS'], startDate: '2031-02-24', endDate: null }),
          ],
          21_001,
        ),
      );
      // A second transaction: the match is found in the table, not only within the batch.
      await writer.applyBatch(
        consumed(
          [
            detected(k2, a2, {
              countries: ['RUS', 'IDN'],
              startDate: null,
              endDate: null,
              publishedAt: '2031-02-26T10:00:00.000Z',
            }),
            detected(k3, a3, { startDate: '2031-02-24', endDate: '2031-02-28', confidence: 0.99 }),
          ],
          21_005,
        ),
      );
      const { events } = await snapshot([a1, a2, a3]);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ id: k1, sourceCount: 3, confidence: 0.99 });
      expect(events[0]!.endDate?.toISOString().slice(0, 10)).toBe('2031-02-28');
      expect(events[0]!.aliases.map((a) => a.alias).sort()).toEqual([k1, k2, k3].sort());
      expect(events[0]!.versions.map((v) => [v.change, Number(v.streamSequence)])).toEqual([
        ['created', 21_004],
        ['source_added', 21_005],
        ['source_added', 21_006],
      ]);
    });

    it('keeps another act apart: other country pair, or more than the window away', async () => {
      const [a1, a2, a3] = [unique(), unique(), unique()];
      await writer.applyBatch(
        consumed(
          [
            articleIngested(a1),
            articleIngested(a2),
            articleIngested(a3),
            detected(`x1-${a1}`, a1, { startDate: '2032-05-01', endDate: null }),
            detected(`x2-${a2}`, a2, { countries: ['RUS', 'VNM'], startDate: '2032-05-01', endDate: null }),
            detected(`x3-${a3}`, a3, { startDate: '2032-05-09', endDate: null }),
          ],
          22_001,
        ),
      );
      expect((await snapshot([a1, a2, a3])).events).toHaveLength(3);
    });

    it('returns what cannot be applied yet as failures and applies the rest', async () => {
      const [known, missing] = [unique(), unique()];
      const result = await writer.applyBatch(
        consumed([articleIngested(known), classified(missing), classified(known)], 23_001),
      );
      expect(result.failures.map((f) => [f.streamSequence, f.error.constructor])).toEqual([
        [23_002, NotYetApplicableError],
      ]);
      expect((await prisma.client.article.findUniqueOrThrow({ where: { id: known } })).relevant).toBe(true);
    });

    it('records every feed an article was found in', async () => {
      const id = unique();
      const sourceAdded = createEvent('ArticleSourceAdded', {
        id: `sa-${id}`,
        data: {
          articleId: id,
          contentHash: 'h1',
          feedUrl: 'https://other.example.org/rss',
          url: `https://other.example.org/${id}?utm=x`,
          guid: null,
          seenAt: '2025-02-24T10:00:00.000Z',
        },
      });
      await writer.applyBatch(consumed([articleIngested(id), sourceAdded, sourceAdded], 24_001));
      const { feeds } = await snapshot([id]);
      expect(feeds.map((f) => [f.feedUrl, Number(f.lastSequence)])).toEqual([
        ['https://example.org/feed.xml', 24_001],
        ['https://other.example.org/rss', 24_002],
      ]);
    });
  });

  it('keeps the query copies: source feeds and publication time, the search document, each version valid until the next', async () => {
    const [a1, a2, key] = [unique(), unique(), unique()];
    const at = (iso: string) => new Date(iso);
    const second = {
      ...articleIngested(a2),
      id: `ai-${a2}`,
      data: {
        ...articleIngested(a2).data,
        title: 'Naval exercise off Sulawesi',
        text: 'A joint naval exercise.',
      },
    };
    // A date no other test uses, so consolidation merges these into no other test's event.
    const own = { startDate: '2032-01-10', endDate: null };
    const later = { ...detected(key, a2, own), id: `de2-${key}`, occurredAt: '2025-02-26T00:00:00.000Z' };
    // Recorded (occurredAt) before the first detection though applied after it.
    const earlier = {
      ...detected(key, a1, { ...own, confidence: 0.95 }),
      id: `de3-${key}`,
      occurredAt: '2025-02-23T00:00:00.000Z',
    };
    const batch = [articleIngested(a1), second, detected(key, a1, own), later].map((event, i) => ({
      event,
      streamSequence: 30_001 + i,
      deliveryCount: 1,
    }));
    await expect(writer.applyBatch(batch)).resolves.toEqual({ failures: [] });
    await writer.applyBatch([{ event: earlier, streamSequence: 30_010, deliveryCount: 1 }]);
    const moved = createEvent('ArticleSourceAdded', {
      id: `sa-${a1}`,
      data: {
        articleId: a1,
        contentHash: 'h1',
        feedUrl: 'https://another.example.org/rss',
        url: `https://another.example.org/${a1}`,
        guid: null,
        seenAt: '2025-02-27T10:00:00.000Z',
      },
    });
    await writer.applyBatch([{ event: moved, streamSequence: 30_011, deliveryCount: 1 }]);

    const sources = await prisma.client.diplomaticEventSource.findMany({
      where: { diplomaticEventId: key },
      orderBy: { articleId: 'asc' },
    });
    expect(sources.map((source) => [source.articleId, source.feedUrls, source.publishedAt])).toEqual(
      [
        [a1, ['https://another.example.org/rss', 'https://example.org/feed.xml'], at('2025-02-24T08:00:00Z')],
        [a2, ['https://example.org/feed.xml'], at('2025-02-24T08:00:00Z')],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    );
    const [document] = await prisma.client.$queryRawUnsafe<Array<{ naval: boolean; shoigu: boolean }>>(
      `SELECT search_vector @@ websearch_to_tsquery('english', '"naval exercise"') AS naval,
              search_vector @@ websearch_to_tsquery('english', 'shoigu') AS shoigu
         FROM event_search_documents WHERE diplomatic_event_id = $1`,
      key,
    );
    expect(document).toEqual({ naval: true, shoigu: true });
    const versions = await prisma.client.diplomaticEventVersion.findMany({
      where: { diplomaticEventId: key },
      orderBy: { version: 'asc' },
    });
    expect(versions.map((v) => [v.recordedAt, v.validUntil, v.confidence, v.type, v.countries])).toEqual([
      // Version 1 is superseded by version 3, recorded earlier than itself: never the answer.
      [at('2025-02-24T09:00:02Z'), at('2025-02-24T09:00:02Z'), 0.8, 'visit', ['IDN', 'RUS']],
      [at('2025-02-26T00:00:00Z'), at('2025-02-26T00:00:00Z'), 0.8, 'visit', ['IDN', 'RUS']],
      [at('2025-02-23T00:00:00Z'), null, 0.95, 'visit', ['IDN', 'RUS']],
    ]);
  });

  it('bounds an event search document to its first sources by article id, however often it is reported', async () => {
    const key = unique();
    const ids = Array.from(
      { length: SEARCH_DOCUMENT_SOURCES + 5 },
      (_, i) => `${key}-${String(i).padStart(3, '0')}`,
    );
    const withTitle = (id: string, title: string) => ({
      ...articleIngested(id),
      id: `ai-${id}`,
      data: { ...articleIngested(id).data, title },
    });
    const own = { startDate: '2033-03-03', endDate: null };
    const events = ids.flatMap((id, i) => [
      withTitle(id, i === 0 ? 'Quokkaterm report' : i === ids.length - 1 ? 'Wombatterm report' : 'Report'),
      { ...detected(key, id, own), id: `de-${id}` },
    ]);
    // One batch per report, as outlets trickle in: every one rebuilds the document.
    for (const [i, event] of events.entries()) {
      await writer.applyBatch([{ event, streamSequence: 40_001 + i, deliveryCount: 1 }]);
    }
    const [document] = await prisma.client.$queryRawUnsafe<
      Array<{ first: boolean; last: boolean; sources: number }>
    >(
      `SELECT search_vector @@ to_tsquery('english', 'quokkaterm') AS first,
              search_vector @@ to_tsquery('english', 'wombatterm') AS last,
              (SELECT count(*)::int FROM diplomatic_event_sources WHERE diplomatic_event_id = $1) AS sources
         FROM event_search_documents WHERE diplomatic_event_id = $1`,
      key,
    );
    expect(document).toEqual({ first: true, last: false, sources: ids.length });
  });

  it('keeps a full search document when a new report sorts after its first sources, and rebuilds it when one sorts among them', async () => {
    const key = unique();
    const ids = Array.from(
      { length: SEARCH_DOCUMENT_SOURCES + 2 },
      (_, i) => `${key}-${String(i).padStart(3, '0')}`,
    );
    const own = { startDate: '2036-08-08', endDate: null };
    const report = (id: string, title: string) => [
      { ...articleIngested(id), id: `ai-${id}`, data: { ...articleIngested(id).data, title } },
      { ...detected(key, id, own), id: `de-${id}` },
    ];
    let sequence = 60_001;
    const apply = (events: NewsEvent[]) =>
      writer.applyBatch(events.map((event) => ({ event, streamSequence: sequence++, deliveryCount: 1 })));
    await apply(ids.flatMap((id) => report(id, 'Report')));
    // A marker only a rebuilt document would lose.
    await prisma.client.$executeRawUnsafe(
      `UPDATE event_search_documents SET search_vector = to_tsvector('english', 'numbatterm')
        WHERE diplomatic_event_id = $1`,
      key,
    );
    const document = async () =>
      (
        await prisma.client.$queryRawUnsafe<Array<{ marker: boolean; late: boolean; early: boolean }>>(
          `SELECT search_vector @@ to_tsquery('english', 'numbatterm') AS marker,
                  search_vector @@ to_tsquery('english', 'bilbyterm') AS late,
                  search_vector @@ to_tsquery('english', 'potorooterm') AS early
             FROM event_search_documents WHERE diplomatic_event_id = $1`,
          key,
        )
      )[0];
    await apply(report(`${key}-999`, 'Bilbyterm report'));
    expect(await document()).toEqual({ marker: true, late: false, early: false });
    await apply(report(`${key}-000a`, 'Potorooterm report'));
    expect(await document()).toEqual({ marker: false, late: false, early: true });
  });

  it('rewrites a kept search document when the same batch revises one of its first sources', async () => {
    const key = unique();
    const ids = Array.from(
      { length: SEARCH_DOCUMENT_SOURCES + 1 },
      (_, i) => `${key}-${String(i).padStart(3, '0')}`,
    );
    const own = { startDate: '2038-10-10', endDate: null };
    const report = (id: string) => [
      { ...articleIngested(id), id: `ai-${id}` },
      { ...detected(key, id, own), id: `de-${id}` },
    ];
    let sequence = 80_001;
    const apply = (events: NewsEvent[]) =>
      writer.applyBatch(events.map((event) => ({ event, streamSequence: sequence++, deliveryCount: 1 })));
    await apply(ids.flatMap(report));
    // One batch: a report the keep rule keeps the document for (it sorts after the first 50),
    // and a revision of the first source's title.
    const revised = articleIngested(ids[0]!, 'h-revised');
    await apply([
      ...report(`${key}-999`),
      { ...revised, data: { ...revised.data, title: 'Quollterm report' } },
    ]);
    const [document] = await prisma.client.$queryRawUnsafe<Array<{ revised: boolean }>>(
      `SELECT search_vector @@ to_tsquery('english', 'quollterm') AS revised
         FROM event_search_documents WHERE diplomatic_event_id = $1`,
      key,
    );
    expect(document).toEqual({ revised: true });
  });

  it('writes the same events, versions and search documents from one batch as from its events applied one at a time', async () => {
    // Three reports of one act, the third recorded (occurredAt) before the other two: each
    // version's validity and the document come out the same however the log is batched.
    // Days apart, so consolidation keeps the two runs' events apart.
    const project = async (tag: string, batched: boolean, from: number, startDate: string) => {
      const [a1, a2, a3, key] = [`${tag}-1`, `${tag}-2`, `${tag}-3`, `${tag}-k`];
      const own = { startDate, endDate: null };
      const report = (articleId: string, occurredAt: string, overrides = {}) => ({
        ...detected(key, articleId, { ...own, ...overrides }),
        id: `de-${articleId}`,
        occurredAt,
      });
      const events = [
        articleIngested(a1),
        {
          ...articleIngested(a2),
          data: { ...articleIngested(a2).data, title: 'Talks on naval cooperation' },
        },
        articleIngested(a3),
        report(a1, '2025-03-02T00:00:00.000Z'),
        report(a2, '2025-03-03T00:00:00.000Z', { countries: ['RUS', 'IDN', 'MYS'] }),
        report(a3, '2025-03-01T00:00:00.000Z', { confidence: 0.99 }),
      ];
      const consumed = events.map((event, i) => ({ event, streamSequence: from + i, deliveryCount: 1 }));
      if (batched) await writer.applyBatch(consumed);
      else for (const one of consumed) await writer.applyBatch([one]);
      const [event] = await prisma.client.$queryRawUnsafe<Array<Record<string, unknown>>>(
        `SELECT e.countries, e.confidence, e.source_count, d.search_vector::text AS document
           FROM diplomatic_events e JOIN event_search_documents d ON d.diplomatic_event_id = e.id
          WHERE e.id = $1`,
        key,
      );
      const versions = await prisma.client.diplomaticEventVersion.findMany({
        where: { diplomaticEventId: key },
        orderBy: { version: 'asc' },
        select: { version: true, recordedAt: true, validUntil: true, countries: true, confidence: true },
      });
      return { event, versions };
    };
    const tag = unique();
    const alone = await project(`${tag}a`, false, 50_001, '2034-04-04');
    const together = await project(`${tag}b`, true, 50_101, '2034-06-06');
    // Article ids differ only in the tag's last letter, which the document does not contain.
    expect(together).toEqual(alone);
    expect(
      alone.versions.map((v) => [v.recordedAt.toISOString(), v.validUntil?.toISOString() ?? null]),
    ).toEqual([
      ['2025-03-02T00:00:00.000Z', '2025-03-02T00:00:00.000Z'],
      ['2025-03-03T00:00:00.000Z', '2025-03-03T00:00:00.000Z'],
      ['2025-03-01T00:00:00.000Z', null],
    ]);
    expect(alone.event!.document).toContain("'naval'");
  });

  it('leaves source rows and the search document alone when a revision keeps what they copy, and rewrites them when it does not', async () => {
    const [id, key] = [unique(), unique()];
    const own = { startDate: '2035-05-05', endDate: null };
    await writer.applyBatch(
      [articleIngested(id, 'h1'), detected(key, id, own)].map((event, i) => ({
        event,
        streamSequence: 60_001 + i,
        deliveryCount: 1,
      })),
    );
    const rowVersions = async () => {
      const [row] = await prisma.client.$queryRawUnsafe<
        Array<{ event: string; document: string; source: string }>
      >(
        `SELECT (SELECT xmin::text FROM diplomatic_events WHERE id = $1) AS event,
                (SELECT xmin::text FROM event_search_documents WHERE diplomatic_event_id = $1) AS document,
                (SELECT xmin::text FROM diplomatic_event_sources WHERE diplomatic_event_id = $1) AS source`,
        key,
      );
      return row!;
    };
    const before = await rowVersions();
    // A new revision (other hash and raw content) with the same title, text, date and feed.
    const sameCopy = articleIngested(id, 'h2');
    const kept = {
      ...sameCopy,
      data: { ...sameCopy.data, title: articleIngested(id, 'h1').data.title, rawContent: '<p>markup</p>' },
    };
    await writer.applyBatch([{ event: kept, streamSequence: 60_010, deliveryCount: 1 }]);
    expect((await prisma.client.article.findUniqueOrThrow({ where: { id } })).contentHash).toBe('h2');
    expect(await rowVersions()).toEqual(before);

    // A revision that changes the text and the publication time is copied.
    const changed = {
      ...articleIngested(id, 'h3'),
      data: {
        ...articleIngested(id, 'h3').data,
        text: 'Wallabyterm talks.',
        publishedAt: '2025-02-25T08:00:00.000Z',
      },
    };
    await writer.applyBatch([{ event: changed, streamSequence: 60_011, deliveryCount: 1 }]);
    const after = await rowVersions();
    // The event's own row copies nothing of the article: only its document changes.
    expect(after.event).toBe(before.event);
    expect(after.document).not.toBe(before.document);
    expect(after.source).not.toBe(before.source);
    const [copy] = await prisma.client.$queryRawUnsafe<Array<{ found: boolean; published: Date }>>(
      `SELECT d.search_vector @@ to_tsquery('english', 'wallabyterm') AS found, s.published_at AS published
         FROM event_search_documents d JOIN diplomatic_event_sources s ON s.diplomatic_event_id = d.diplomatic_event_id
        WHERE d.diplomatic_event_id = $1`,
      key,
    );
    expect(copy).toEqual({ found: true, published: new Date('2025-02-25T08:00:00.000Z') });
  });

  it('rewrites an event search document when a report changes it, not on every report of the event', async () => {
    const [a1, a2, a3, key] = [unique(), unique(), unique(), unique()];
    const own = { startDate: '2037-09-09', endDate: null };
    const withText = (id: string, text: string) => ({
      ...articleIngested(id),
      data: { ...articleIngested(id).data, text },
    });
    let sequence = 70_001;
    const applyAll = (events: NewsEvent[]) =>
      writer.applyBatch(events.map((event) => ({ event, streamSequence: sequence++, deliveryCount: 1 })));
    const state = async () =>
      (
        await prisma.client.$queryRawUnsafe<
          Array<{ event: string; document: string; sources: number; kowari: boolean; pairs: boolean }>
        >(
          `SELECT (SELECT xmin::text FROM diplomatic_events WHERE id = $1) AS event, d.xmin::text AS document,
                  (SELECT source_count FROM diplomatic_events WHERE id = $1) AS sources,
                  d.search_vector @@ to_tsquery('english', 'kowariterm') AS kowari,
                  d.search_pairs @> ARRAY['kowariterm visit'] AS pairs
             FROM event_search_documents d WHERE d.diplomatic_event_id = $1`,
          key,
        )
      )[0]!;
    await applyAll([withText(a1, 'Dingoterm talks.'), detected(key, a1, own)]);
    const first = await state();
    expect(first).toMatchObject({ sources: 1, kowari: false, pairs: false });

    // The same article reports the act again, surer: the event row changes, its document cannot.
    await applyAll([{ ...detected(key, a1, { ...own, confidence: 0.97 }), id: `de-again-${a1}` }]);
    const again = await state();
    expect(again.event).not.toBe(first.event);
    expect(again.document).toBe(first.document);

    // Another outlet's report adds its words (and their pairs): the document is rewritten.
    await applyAll([withText(a2, 'Kowariterm visit.'), detected(key, a2, own)]);
    const added = await state();
    expect(added).toMatchObject({ sources: 2, kowari: true, pairs: true });
    expect(added.document).not.toBe(first.document);

    // A report whose article has no words of its own (an empty text and title adds no lexeme
    // nor position) leaves the document as it was, though it joins the event.
    await applyAll([
      { ...articleIngested(a3), data: { ...articleIngested(a3).data, title: '', text: '' } },
      detected(key, a3, own),
    ]);
    const silent = await state();
    expect(silent.sources).toBe(3);
    expect(silent.event).not.toBe(added.event);
    expect(silent.document).toBe(added.document);
  });

  it('stores text with quotes, backslashes, placeholders and non-ASCII exactly (values travel as literals)', async () => {
    const id = unique();
    const awkward = `O'Brien \\ "quoted" \\' $1 $2::json ; DROP TABLE articles; -- ' \u0041 Шойгу 🇮🇩 E'x'`;
    const event = articleIngested(id);
    await apply({ ...event, data: { ...event.data, title: awkward, text: `${awkward}\n${awkward}` } });
    const row = await prisma.client.article.findUniqueOrThrow({ where: { id } });
    expect([row.title, row.text]).toEqual([awkward, `${awkward}\n${awkward}`]);
  });

  it('keeps the daily time series equal to the counts of the diplomatic events it summarises', async () => {
    // One statement, one snapshot: other tests may be writing meanwhile.
    const mismatches = await prisma.client.$queryRawUnsafe<Array<{ n: number }>>(
      `WITH expected AS (
         SELECT e.event_date AS day, a.country AS country_a, b.country AS country_b, e.type,
                count(*)::int AS events, sum(e.source_count)::int AS sources
           FROM diplomatic_events e
          CROSS JOIN LATERAL unnest(e.countries) AS a(country)
          CROSS JOIN LATERAL unnest(e.countries) AS b(country)
          WHERE a.country < b.country
          GROUP BY 1, 2, 3, 4),
       stored AS (SELECT day, country_a, country_b, type, events, sources FROM diplomatic_event_counts_daily)
       SELECT count(*)::int AS n FROM ((TABLE expected EXCEPT TABLE stored) UNION ALL (TABLE stored EXCEPT TABLE expected)) d`,
    );
    expect(mismatches).toEqual([{ n: 0 }]);
    expect(await prisma.client.diplomaticEventCountDaily.count()).toBeGreaterThan(0);
  });

  it('keeps the per-country daily counts equal to the counts of the diplomatic events', async () => {
    const mismatches = await prisma.client.$queryRawUnsafe<Array<{ n: number }>>(
      `WITH expected AS (
         SELECT e.event_date AS day, c.country, count(*)::int AS events
           FROM diplomatic_events e CROSS JOIN LATERAL (SELECT DISTINCT unnest(e.countries)) AS c(country)
          GROUP BY 1, 2),
       stored AS (SELECT day, country, events FROM diplomatic_event_country_counts_daily)
       SELECT count(*)::int AS n FROM ((TABLE expected EXCEPT TABLE stored) UNION ALL (TABLE stored EXCEPT TABLE expected)) d`,
    );
    expect(mismatches).toEqual([{ n: 0 }]);
    expect(await prisma.client.diplomaticEventCountryCountDaily.count()).toBeGreaterThan(0);
  });
});
