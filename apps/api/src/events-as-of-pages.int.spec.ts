/**
 * GET /events?asOf=…: pages of versions found with the GiST index (asOfPageQuery), where many
 * events share the key at a page's edge: every page continues exactly where the last ended.
 */
import { useReadModelApi } from './testing/read-model-api';
import { type EventFixture, insertEvents } from './testing/read-model-fixtures';

jest.setTimeout(60_000);

const AS_OF = '2025-06-01T00:00:00Z';

const event = (id: string, eventDate: string, confidence: number, recordedAt = '2025-05-01T00:00:00Z') =>
  ({
    id,
    versions: [{ recordedAt, state: { type: 'visit', countries: ['IDN', 'RUS'], eventDate, confidence } }],
  }) satisfies EventFixture;

describe('GET /events?asOf= pages', () => {
  const events = [
    event('t-a', '2025-03-01', 0.7),
    event('t-b', '2025-03-01', 0.7),
    event('t-c', '2025-03-01', 0.8),
    event('t-d', '2025-03-01', 0.7),
    event('t-e', '2025-03-01', 0.9),
    event('t-f', '2025-04-01', 0.7),
    event('t-g', '2025-02-01', 0.7),
    // Recorded after the moment asked about: not in any page.
    event('t-late', '2025-03-01', 0.7, '2025-07-01T00:00:00Z'),
  ];
  const world = useReadModelApi('apiaop', async (db) => insertEvents(db, events));

  const allPages = async (query: string, limit: number) => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 20; page++) {
      const response = await world.get(
        `/events?asOf=${AS_OF}&limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(response.status).toBe(200);
      const body = response.body as { items: Array<{ id: string }>; nextCursor: string | null };
      expect(body.items.length).toBeLessThanOrEqual(limit);
      seen.push(...body.items.map((item) => item.id));
      cursor = body.nextCursor;
      if (!cursor) return seen;
    }
    throw new Error('no last page');
  };

  it.each([1, 2, 3, 7])('newest first, %i a page, ties at the edges ordered by id', async (limit) => {
    expect(await allPages('', limit)).toEqual(['t-f', 't-e', 't-d', 't-c', 't-b', 't-a', 't-g']);
  });

  it.each([1, 2, 4])('by confidence, ascending, %i a page', async (limit) => {
    expect(await allPages('&sort=confidence&order=asc', limit)).toEqual([
      't-a',
      't-b',
      't-d',
      't-f',
      't-g',
      't-c',
      't-e',
    ]);
  });

  it('nothing known yet: an empty page', async () => {
    const response = await world.get('/events?asOf=2020-01-01T00:00:00Z');
    expect(response.body).toMatchObject({ items: [], nextCursor: null });
  });
});
