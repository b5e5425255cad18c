/**
 * GET /events filters, sorting and paging, through the real API module (in-process) against
 * a database of its own holding a small, hand-made world of events.
 */
import { EventsRepository, SOURCE_LOOKUP_LIMIT, WALK_FIRST } from './events.repository';
import { useReadModelApi } from './testing/read-model-api';
import { actor, insertArticles, insertEvents } from './testing/read-model-fixtures';

jest.setTimeout(60_000);

const FEED_A = 'https://a.example.org/rss';
const FEED_B = 'https://b.example.org/feed.xml?edition=en,asia';
const FEED_C = 'https://c.example.org/atom';

describe('GET /events (query API)', () => {
  const world = useReadModelApi('apiq', async (db) => {
    await insertArticles(db, [
      {
        id: 'a1',
        title: 'Shoigu visits Jakarta for defence talks',
        text: 'Sergei Shoigu arrived in Jakarta to discuss security cooperation with Indonesia.',
        feedUrl: FEED_A,
        publishedAt: '2025-02-24T06:00:00Z',
      },
      {
        id: 'a2',
        title: 'Malaysia hosts Russian delegation',
        text: 'Anwar Ibrahim received the Russian Security Council secretary in Kuala Lumpur.',
        feedUrl: FEED_B,
        publishedAt: '2025-02-25T23:30:00Z',
      },
      {
        id: 'a3',
        title: 'Vietnam and Russia sign energy agreement',
        text: 'The two countries signed an agreement on nuclear energy cooperation in Hanoi.',
        feedUrl: FEED_B,
        alsoIn: [FEED_C],
        publishedAt: '2025-03-10T09:00:00Z',
      },
      {
        id: 'a4',
        title: 'Lavrov meets ASEAN ministers in Vientiane',
        text: 'Sergey Lavrov held talks with the foreign ministers of ASEAN in Laos.',
        feedUrl: FEED_A,
        publishedAt: '2024-07-26T10:00:00Z',
      },
      {
        id: 'a5',
        title: 'Thai navy joins exercise with Russian Pacific Fleet',
        text: 'Warships of Thailand and Russia held a joint naval exercise in the Andaman Sea.',
        feedUrl: FEED_C,
        publishedAt: '2025-05-01T12:00:00Z',
      },
    ]);
    const at = '2025-06-01T00:00:00Z';
    await insertEvents(db, [
      {
        id: 'e-visit-idn-mys',
        versions: [
          {
            recordedAt: at,
            state: {
              type: 'visit',
              countries: ['IDN', 'MYS', 'RUS'],
              actors: [actor('Sergei Shoigu', 'RUS'), actor('Anwar Ibrahim', 'MYS')],
              confidence: 0.9,
              eventDate: '2025-02-24',
              sourceCount: 2,
            },
          },
        ],
        sources: [
          { articleId: 'a1', detectedAt: at },
          { articleId: 'a2', detectedAt: at },
        ],
      },
      {
        id: 'e-agreement-vnm',
        versions: [
          {
            recordedAt: at,
            state: {
              type: 'agreement',
              countries: ['RUS', 'VNM'],
              actors: [actor('Vladimir Putin', 'RUS'), actor('Tô Lâm', 'VNM')],
              confidence: 0.8,
              eventDate: '2025-03-10',
            },
          },
        ],
        sources: [{ articleId: 'a3', detectedAt: at }],
      },
      {
        id: 'e-talks-asean',
        versions: [
          {
            recordedAt: at,
            state: {
              type: 'meeting_talks',
              countries: ['ASEAN', 'LAO', 'RUS'],
              actors: [actor('Sergey Lavrov', 'RUS')],
              confidence: 0.7,
              eventDate: '2024-07-26',
            },
          },
        ],
        sources: [{ articleId: 'a4', detectedAt: at }],
      },
      {
        id: 'e-exercise-tha',
        versions: [
          {
            recordedAt: at,
            state: {
              type: 'military_exercise',
              countries: ['RUS', 'THA'],
              actors: [],
              confidence: 0.6,
              eventDate: '2025-05-01',
            },
          },
        ],
        sources: [{ articleId: 'a5', detectedAt: at }],
      },
      {
        // Same date and confidence as e-visit-idn-mys: the id breaks the tie.
        id: 'e-visit-idn',
        versions: [
          {
            recordedAt: at,
            state: {
              type: 'visit',
              countries: ['IDN', 'RUS'],
              actors: [actor('Sergei Shoigu', 'RUS'), actor('Prabowo Subianto', 'IDN')],
              confidence: 0.9,
              eventDate: '2025-02-24',
            },
          },
        ],
        sources: [{ articleId: 'a2', detectedAt: at }],
      },
    ]);
  });

  const get = async (path: string, key?: string | null) => {
    const response = await world.get(path, key);
    return { status: response.status, body: response.body as Record<string, any> };
  };
  const ids = async (query: string) => {
    const { status, body } = await get(`/events${query}`);
    expect({ query, status, message: body.message }).toEqual({ query, status: 200, message: undefined });
    return (body.items as Array<{ id: string }>).map((item) => item.id);
  };

  it('lists newest event date first, ties by id, with the event fields', async () => {
    expect(await ids('')).toEqual([
      'e-exercise-tha',
      'e-agreement-vnm',
      'e-visit-idn-mys',
      'e-visit-idn',
      'e-talks-asean',
    ]);
    const { body } = await get('/events?limit=1');
    expect(body.items[0]).toEqual({
      id: 'e-exercise-tha',
      type: 'military_exercise',
      countries: ['RUS', 'THA'],
      actors: [],
      confidence: 0.6,
      summary: 'summary of e-exercise-tha',
      eventDate: '2025-05-01',
      startDate: null,
      endDate: null,
      place: null,
      topics: [],
      rulesVersion: '1.0.0',
      firstSeenAt: '2025-06-01T00:00:00.000Z',
      lastSeenAt: '2025-06-01T00:00:00.000Z',
      sourceCount: 1,
    });
    expect(body.asOf).toBeNull();
  });

  const filterCases: Array<[string, string[]]> = [
    ['?country=IDN,MYS', ['e-visit-idn-mys']],
    ['?country=idn&country=mys&countryMatch=all', ['e-visit-idn-mys']],
    ['?country=MYS,THA&countryMatch=any', ['e-exercise-tha', 'e-visit-idn-mys']],
    ['?pair=RUS-IDN', ['e-visit-idn-mys', 'e-visit-idn']],
    ['?pair=RUS-VNM,LAO-ASEAN', ['e-agreement-vnm', 'e-talks-asean']],
    ['?actor=shoigu', ['e-visit-idn-mys', 'e-visit-idn']],
    ['?actor=SERGEI%20SHO', ['e-visit-idn-mys', 'e-visit-idn']],
    ['?actor=anwar', ['e-visit-idn-mys']],
    ['?actor=t%C3%B4%20l%C3%A2m', ['e-agreement-vnm']],
    ['?actor=sergei%20anwar', []],
    ['?actor=russia', []],
    ['?type=visit', ['e-visit-idn-mys', 'e-visit-idn']],
    ['?type=agreement,meeting_talks', ['e-agreement-vnm', 'e-talks-asean']],
    ['?from=2025-02-24&to=2025-03-10', ['e-agreement-vnm', 'e-visit-idn-mys', 'e-visit-idn']],
    ['?to=2025-01-01', ['e-talks-asean']],
    ['?publishedFrom=2025-02-25', ['e-exercise-tha', 'e-agreement-vnm', 'e-visit-idn-mys', 'e-visit-idn']],
    // Inclusive to the end of that day, UTC: a2 was published at 23:30 on the 25th.
    ['?publishedFrom=2025-02-25&publishedTo=2025-02-25', ['e-visit-idn-mys', 'e-visit-idn']],
    ['?publishedTo=2025-02-24', ['e-visit-idn-mys', 'e-talks-asean']],
    ['?minConfidence=0.85', ['e-visit-idn-mys', 'e-visit-idn']],
    ['?minConfidence=0.7&type=meeting_talks', ['e-talks-asean']],
    ['?q=talks', ['e-visit-idn-mys', 'e-talks-asean']],
    ['?q=signing', ['e-agreement-vnm']],
    ['?q=%22naval%20exercise%22', ['e-exercise-tha']],
    ['?q=%22exercise%20naval%22', []],
    ['?q=Jakarta%20or%20Hanoi', ['e-agreement-vnm', 'e-visit-idn-mys']],
    ['?q=russian%20-malaysia', ['e-exercise-tha']],
    [`?feed=${encodeURIComponent(FEED_B)}`, ['e-agreement-vnm', 'e-visit-idn-mys', 'e-visit-idn']],
    // a3 came through feed B first, then through feed C too: either feed finds it.
    [`?feed=${encodeURIComponent(FEED_C)}`, ['e-exercise-tha', 'e-agreement-vnm']],
    [
      `?feed=${encodeURIComponent(FEED_A)}&feed=${encodeURIComponent(FEED_C)}`,
      ['e-exercise-tha', 'e-agreement-vnm', 'e-visit-idn-mys', 'e-talks-asean'],
    ],
    // One source must meet all the source conditions: a1 is in feed A but not about Hanoi.
    [`?feed=${encodeURIComponent(FEED_A)}&q=hanoi`, []],
    [`?feed=${encodeURIComponent(FEED_B)}&q=hanoi&country=VNM&type=agreement`, ['e-agreement-vnm']],
  ];

  // Source filters (q, feed, published*) run one of two ways, by how many sources match:
  // both must give the same answers.
  describe.each([
    ['the first events checked first, then a lookup', WALK_FIRST, 2000],
    ['matching events looked up from the sources', 0, 2000],
    ['sources checked event by event', 0, 0],
  ])('filters, %s', (_strategy, walkFirst, limit) => {
    beforeAll(() => {
      world.api.app.get(EventsRepository).sourceLookupLimit = limit;
      world.api.app.get(EventsRepository).walkFirst = walkFirst;
    });
    afterAll(() => {
      world.api.app.get(EventsRepository).sourceLookupLimit = SOURCE_LOOKUP_LIMIT;
      world.api.app.get(EventsRepository).walkFirst = WALK_FIRST;
    });

    it.each(filterCases)('%s', async (query, expected) => {
      expect(await ids(query)).toEqual(expected);
      // One at a time: full pages, where the first events checked first can answer.
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const separator = query ? '&' : '?';
        const { body }: { body: Record<string, any> } = await get(
          `/events${query}${separator}limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        );
        paged.push(...body.items.map((item: { id: string }) => item.id));
        cursor = body.nextCursor as string | null;
      } while (cursor);
      expect(paged).toEqual(expected);
    });
  });

  describe('sorting and paging', () => {
    it('sorts by confidence either way, ties by id in the same direction', async () => {
      expect(await ids('?sort=confidence')).toEqual([
        'e-visit-idn-mys',
        'e-visit-idn',
        'e-agreement-vnm',
        'e-talks-asean',
        'e-exercise-tha',
      ]);
      expect(await ids('?sort=confidence&order=asc')).toEqual([
        'e-exercise-tha',
        'e-talks-asean',
        'e-agreement-vnm',
        'e-visit-idn',
        'e-visit-idn-mys',
      ]);
      expect(await ids('?order=asc')).toEqual([
        'e-talks-asean',
        'e-visit-idn',
        'e-visit-idn-mys',
        'e-agreement-vnm',
        'e-exercise-tha',
      ]);
    });

    it.each([
      'sort=date&order=desc',
      'sort=date&order=asc',
      'sort=confidence&order=desc',
      'sort=confidence&order=asc',
    ])('pages through %s with cursors, one at a time, in the same order as one page', async (sort) => {
      const whole = await ids(`?${sort}`);
      // asOf pages take another path (versions, bounded in two steps): after every version it
      // must give the same order, page by page, ties included.
      for (const asOf of ['', '&asOf=2030-01-01T00:00:00Z']) {
        for (const limit of [1, 2]) {
          const paged: string[] = [];
          let cursor: string | null = null;
          do {
            const { status, body }: { status: number; body: Record<string, any> } = await get(
              `/events?${sort}${asOf}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
            );
            expect(status).toBe(200);
            paged.push(...body.items.map((item: { id: string }) => item.id));
            cursor = body.nextCursor as string | null;
          } while (cursor);
          expect({ asOf, limit, paged }).toEqual({ asOf, limit, paged: whole });
        }
      }
    });

    it('keeps the filters across pages', async () => {
      const first = await get('/events?type=visit&limit=1');
      expect(first.body.items.map((item: { id: string }) => item.id)).toEqual(['e-visit-idn-mys']);
      const second = await get(`/events?type=visit&limit=1&cursor=${first.body.nextCursor}`);
      expect(second.body.items.map((item: { id: string }) => item.id)).toEqual(['e-visit-idn']);
      expect(second.body.nextCursor).toBeNull();
    });

    it('refuses a cursor from another sort', async () => {
      const { body } = await get('/events?limit=1');
      const other = await get(`/events?sort=confidence&limit=1&cursor=${body.nextCursor}`);
      expect(other.status).toBe(400);
      expect(other.body.message).toMatch(/^parameter "cursor" belongs to sort=date/);
    });
  });

  it.each([
    ['?country=Indonesia', /parameter "country"/],
    ['?countryMatch=most', /parameter "countryMatch"/],
    ['?pair=RUS', /parameter "pair"/],
    ['?actor=%3F%3F', /parameter "actor"/],
    ['?type=coup', /parameter "type"/],
    ['?from=2025-02-30', /parameter "from"/],
    ['?from=2025-03-01&to=2025-02-01', /parameter "from"/],
    ['?publishedFrom=soon', /parameter "publishedFrom"/],
    ['?publishedTo=2025-13-01', /parameter "publishedTo"/],
    ['?minConfidence=2', /parameter "minConfidence"/],
    ['?q=', /parameter "q"/],
    ['?feed=not-a-url', /parameter "feed"/],
    ['?asOf=yesterday', /parameter "asOf"/],
    ['?sort=newest', /parameter "sort"/],
    ['?order=sideways', /parameter "order"/],
    ['?limit=0', /parameter "limit"/],
    ['?cursor=garbage', /parameter "cursor"/],
    ['?colour=red', /unknown parameter.*colour/],
  ])('answers %s with a 400 naming the parameter', async (query, message) => {
    const { status, body } = await get(`/events${query}`);
    expect(status).toBe(400);
    expect(body.message).toMatch(message);
  });

  it('needs an API key', async () => {
    expect((await get('/events', null)).status).toBe(401);
  });
});
