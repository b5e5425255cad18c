/**
 * Bitemporal reads: `asOf` on GET /events and GET /events/:id answers with what the log had
 * recorded at that moment; GET /events/:id/history lists every version and what it changed.
 */
import { useReadModelApi } from './testing/read-model-api';
import { actor, insertArticles, insertEvents } from './testing/read-model-fixtures';

jest.setTimeout(60_000);

// The Shoigu visit as the log learnt it: first from a Jakarta outlet (IDN only, less sure),
// a day later from a Kuala Lumpur one (MYS added, more sure, a second source).
const FIRST_REPORT = '2025-02-24T09:00:00.000Z';
const SECOND_REPORT = '2025-02-25T09:00:00.000Z';
const BETWEEN = '2025-02-24T21:00:00Z';
const AFTER = '2025-03-01T00:00:00Z';
const BEFORE = '2025-02-20T00:00:00Z';

describe('asOf and history', () => {
  const world = useReadModelApi('apih', async (db) => {
    await insertArticles(db, [
      {
        id: 'jkt',
        title: 'Shoigu in Jakarta',
        text: 'Sergei Shoigu is visiting Indonesia.',
        publishedAt: FIRST_REPORT,
      },
      {
        id: 'kl',
        title: 'Shoigu to fly on to Kuala Lumpur',
        text: 'After Indonesia, Shoigu visits Malaysia.',
        feedUrl: 'https://kl.example.org/rss',
        publishedAt: SECOND_REPORT,
      },
      { id: 'hn', title: 'Hanoi talks', text: 'Talks in Hanoi.', publishedAt: SECOND_REPORT },
    ]);
    await insertEvents(db, [
      {
        id: 'e-shoigu',
        versions: [
          {
            recordedAt: FIRST_REPORT,
            change: 'created',
            state: {
              type: 'visit',
              countries: ['IDN', 'RUS'],
              actors: [actor('Sergei Shoigu', 'RUS')],
              confidence: 0.6,
              eventDate: '2025-02-24',
              sourceCount: 1,
            },
          },
          {
            recordedAt: SECOND_REPORT,
            change: 'source_added',
            state: {
              countries: ['IDN', 'MYS', 'RUS'],
              actors: [actor('Sergei Shoigu', 'RUS'), actor('Anwar Ibrahim', 'MYS')],
              confidence: 0.9,
              sourceCount: 2,
            },
          },
        ],
        sources: [
          { articleId: 'jkt', detectedAt: FIRST_REPORT },
          { articleId: 'kl', detectedAt: SECOND_REPORT },
        ],
      },
      {
        id: 'e-later',
        versions: [
          {
            recordedAt: SECOND_REPORT,
            state: {
              type: 'meeting_talks',
              countries: ['RUS', 'VNM'],
              eventDate: '2025-02-25',
              confidence: 0.7,
            },
          },
        ],
        sources: [{ articleId: 'hn', detectedAt: SECOND_REPORT }],
      },
    ]);
    // Merge keys the projector folded into e-shoigu (its own id is one too).
    await db.query(
      `INSERT INTO diplomatic_event_aliases (alias, diplomatic_event_id, first_sequence)
       VALUES ('e-shoigu', 'e-shoigu', 1), ('e-shoigu-kl-report', 'e-shoigu', 2)`,
    );
  });

  const get = async (path: string) => {
    const response = await world.get(path);
    return { status: response.status, body: response.body as Record<string, any> };
  };
  const ids = async (query: string) => {
    const { status, body } = await get(`/events${query}`);
    expect({ status, message: body.message }).toEqual({ status: 200, message: undefined });
    return (body.items as Array<{ id: string }>).map((item) => item.id);
  };

  describe('GET /events?asOf', () => {
    it('lists only the events the log knew of then', async () => {
      expect(await ids(`?asOf=${BEFORE}`)).toEqual([]);
      expect(await ids(`?asOf=${BETWEEN}`)).toEqual(['e-shoigu']);
      expect(await ids(`?asOf=${AFTER}`)).toEqual(['e-later', 'e-shoigu']);
      expect(await ids('')).toEqual(['e-later', 'e-shoigu']);
    });

    it('shows each event as it was known then', async () => {
      const { body } = await get(`/events?asOf=${encodeURIComponent('2025-02-25T04:00:00+07:00')}`);
      expect(body.asOf).toBe('2025-02-25T04:00:00+07:00');
      expect(body.items).toEqual([
        expect.objectContaining({
          id: 'e-shoigu',
          countries: ['IDN', 'RUS'],
          confidence: 0.6,
          sourceCount: 1,
        }),
      ]);
    });

    it('applies the filters to that state, not to today’s', async () => {
      expect(await ids(`?asOf=${BETWEEN}&country=MYS`)).toEqual([]);
      expect(await ids(`?asOf=${AFTER}&country=MYS`)).toEqual(['e-shoigu']);
      expect(await ids(`?asOf=${BETWEEN}&minConfidence=0.8`)).toEqual([]);
      expect(await ids(`?asOf=${BETWEEN}&actor=anwar`)).toEqual([]);
      expect(await ids(`?asOf=${AFTER}&actor=anwar`)).toEqual(['e-shoigu']);
      expect(await ids(`?asOf=${BETWEEN}&sort=confidence&type=visit&from=2025-02-01`)).toEqual(['e-shoigu']);
    });

    it('counts only the sources recorded by then', async () => {
      expect(await ids(`?asOf=${BETWEEN}&q=malaysia`)).toEqual([]);
      expect(await ids(`?asOf=${AFTER}&q=malaysia`)).toEqual(['e-shoigu']);
      expect(await ids(`?asOf=${BETWEEN}&q=jakarta`)).toEqual(['e-shoigu']);
    });

    it('pages with cursors at a fixed moment', async () => {
      const first = await get(`/events?asOf=${AFTER}&limit=1`);
      expect(first.body.items.map((item: { id: string }) => item.id)).toEqual(['e-later']);
      const second = await get(`/events?asOf=${AFTER}&limit=1&cursor=${first.body.nextCursor}`);
      expect(second.body.items.map((item: { id: string }) => item.id)).toEqual(['e-shoigu']);
      expect(second.body.nextCursor).toBeNull();
    });
  });

  describe('GET /events/:id', () => {
    it('now: the current state, every source with its evidence and classification, the latest version', async () => {
      const { status, body } = await get('/events/e-shoigu');
      expect(status).toBe(200);
      expect(body).toMatchObject({
        id: 'e-shoigu',
        countries: ['IDN', 'MYS', 'RUS'],
        confidence: 0.9,
        asOf: null,
        version: 2,
        recordedAt: SECOND_REPORT,
      });
      expect(body.sources).toEqual([
        expect.objectContaining({
          articleId: 'jkt',
          title: 'Shoigu in Jakarta',
          evidence: [{ sentence: 'evidence for e-shoigu', rules: ['fixture'] }],
          classification: expect.objectContaining({ articleId: 'jkt', relevant: true }),
        }),
        expect.objectContaining({ articleId: 'kl', feedUrl: 'https://kl.example.org/rss' }),
      ]);
    });

    it('asOf: the version recorded by then, and only the sources recorded by then', async () => {
      const { status, body } = await get(`/events/e-shoigu?asOf=${BETWEEN}`);
      expect(status).toBe(200);
      expect(body).toMatchObject({
        id: 'e-shoigu',
        countries: ['IDN', 'RUS'],
        actors: [{ name: 'Sergei Shoigu' }],
        confidence: 0.6,
        asOf: BETWEEN,
        version: 1,
        recordedAt: FIRST_REPORT,
      });
      expect(body.sources.map((source: { articleId: string }) => source.articleId)).toEqual(['jkt']);
    });

    it('asOf before the log knew of it: 404', async () => {
      const { status, body } = await get(`/events/e-shoigu?asOf=${BEFORE}`);
      expect(status).toBe(404);
      expect(body.message).toMatch(/not known at/);
    });

    it('answers an id merged into another event with that event, naming the id asked for', async () => {
      const { status, body } = await get('/events/e-shoigu-kl-report');
      expect(status).toBe(200);
      expect(body).toMatchObject({ id: 'e-shoigu', mergedFrom: 'e-shoigu-kl-report', version: 2 });
      expect(body.sources).toHaveLength(2);
      expect((await get('/events/e-shoigu')).body.mergedFrom).toBeNull();
      const then = await get(`/events/e-shoigu-kl-report?asOf=${BETWEEN}`);
      expect(then.body).toMatchObject({ id: 'e-shoigu', mergedFrom: 'e-shoigu-kl-report', version: 1 });
      const history = await get('/events/e-shoigu-kl-report/history');
      expect(history.body).toMatchObject({ id: 'e-shoigu', mergedFrom: 'e-shoigu-kl-report' });
      expect(history.body.versions).toHaveLength(2);
    });

    it('answers an unknown id with 404 and bad parameters with 400', async () => {
      expect((await get('/events/nope')).status).toBe(404);
      expect((await get('/events/e-shoigu?asOf=now')).body.message).toMatch(/^parameter "asOf"/);
      expect((await get('/events/e-shoigu?country=IDN')).body.message).toMatch(/unknown parameter.*country/);
      expect((await get('/events/bad%20id')).body.message).toBe('parameter "id" is not a valid id');
    });
  });

  describe('GET /events/:id/history', () => {
    it('lists the versions oldest first, each with when it was recorded and what it changed', async () => {
      const { status, body } = await get('/events/e-shoigu/history');
      expect(status).toBe(200);
      expect(body.id).toBe('e-shoigu');
      expect(body.versions).toHaveLength(2);
      const [first, second] = body.versions;
      expect(first).toMatchObject({
        version: 1,
        recordedAt: FIRST_REPORT,
        change: 'created',
        streamSequence: 1,
      });
      expect(first.changes).toEqual(expect.arrayContaining([{ field: 'type', from: null, to: 'visit' }]));
      expect(second).toMatchObject({ version: 2, recordedAt: SECOND_REPORT, change: 'source_added' });
      expect(second.changes).toEqual([
        {
          field: 'actors',
          from: [expect.objectContaining({ name: 'Sergei Shoigu' })],
          to: [
            expect.objectContaining({ name: 'Sergei Shoigu' }),
            expect.objectContaining({ name: 'Anwar Ibrahim' }),
          ],
        },
        { field: 'confidence', from: 0.6, to: 0.9 },
        { field: 'countries', from: ['IDN', 'RUS'], to: ['IDN', 'MYS', 'RUS'] },
        { field: 'lastSeenAt', from: FIRST_REPORT, to: SECOND_REPORT },
        { field: 'sourceCount', from: 1, to: 2 },
      ]);
      expect(second.state).toMatchObject({ id: 'e-shoigu', countries: ['IDN', 'MYS', 'RUS'] });
    });

    it('answers an unknown id with 404', async () => {
      expect((await get('/events/nope/history')).status).toBe(404);
    });
  });
});
