/** GET /stats/timeseries: counts per period and per country, pair or type, computed in SQL. */
import { useReadModelApi } from './testing/read-model-api';
import { type EventFixture, insertEvents } from './testing/read-model-fixtures';

jest.setTimeout(60_000);

const event = (id: string, type: string, countries: string[], eventDate: string): EventFixture => ({
  id,
  versions: [{ recordedAt: `${eventDate}T12:00:00Z`, state: { type, countries, eventDate } }],
});

describe('GET /stats/timeseries', () => {
  const world = useReadModelApi('apis', async (db) => {
    await insertEvents(db, [
      event('s1', 'visit', ['IDN', 'MYS', 'RUS'], '2025-02-24'), // a Monday
      event('s2', 'visit', ['IDN', 'RUS'], '2025-02-26'),
      event('s5', 'military_exercise', ['RUS', 'THA'], '2025-03-02'), // Sunday: still that week
      event('s3', 'agreement', ['RUS', 'VNM'], '2025-03-10'),
      event('s4', 'meeting_talks', ['ASEAN', 'LAO', 'RUS'], '2025-03-31'),
    ]);
  });

  const get = async (query: string) => {
    const response = await world.get(`/stats/timeseries${query}`);
    return { status: response.status, body: response.body as Record<string, any> };
  };
  const rows = async (query: string) => {
    const { status, body } = await get(query);
    expect({ status, message: body.message }).toEqual({ status: 200, message: undefined });
    return (body.rows as Array<{ period: string; key: string; count: number }>).map(
      (row) => `${row.period} ${row.key} ${row.count}`,
    );
  };

  it('counts per week (weeks start on Monday) and type', async () => {
    const { body } = await get('?interval=week&groupBy=type');
    expect(body).toMatchObject({ interval: 'week', groupBy: 'type' });
    expect(await rows('?interval=week&groupBy=type')).toEqual([
      '2025-02-24 military_exercise 1',
      '2025-02-24 visit 2',
      '2025-03-10 agreement 1',
      '2025-03-31 meeting_talks 1',
    ]);
  });

  it('counts an event once in each of its countries', async () => {
    expect(await rows('?interval=month&groupBy=country')).toEqual([
      '2025-02-01 IDN 2',
      '2025-02-01 MYS 1',
      '2025-02-01 RUS 2',
      '2025-03-01 ASEAN 1',
      '2025-03-01 LAO 1',
      '2025-03-01 RUS 3',
      '2025-03-01 THA 1',
      '2025-03-01 VNM 1',
    ]);
  });

  it('counts an event once in each pair of its countries, with the filters', async () => {
    expect(await rows('?interval=month&groupBy=pair&country=IDN')).toEqual([
      '2025-02-01 IDN-MYS 1',
      '2025-02-01 IDN-RUS 2',
      '2025-02-01 MYS-RUS 1',
    ]);
    expect(await rows('?interval=month&groupBy=pair&pair=LAO-ASEAN')).toEqual([
      '2025-03-01 ASEAN-LAO 1',
      '2025-03-01 ASEAN-RUS 1',
      '2025-03-01 LAO-RUS 1',
    ]);
  });

  it('per pair with at most type and date filters: read from the daily counts, the same as counted from the events', async () => {
    for (const query of [
      '?interval=month&groupBy=pair',
      '?interval=week&groupBy=pair&type=visit&from=2025-02-25',
    ]) {
      const fromCounts = await rows(query);
      expect(fromCounts.length).toBeGreaterThan(0);
      // minConfidence=0 keeps every event but needs the events themselves.
      expect(await rows(`${query}&minConfidence=0`)).toEqual(fromCounts);
    }
    expect(await rows('?interval=month&groupBy=pair&type=visit')).toEqual([
      '2025-02-01 IDN-MYS 1',
      '2025-02-01 IDN-RUS 2',
      '2025-02-01 MYS-RUS 1',
    ]);
  });

  it('per country with at most date filters: read from the per-country daily counts, the same as counted from the events', async () => {
    for (const query of [
      '?interval=month&groupBy=country',
      '?interval=week&groupBy=country&from=2025-02-25&to=2025-03-10',
      '?interval=day&groupBy=country&from=2025-03-01',
    ]) {
      const fromCounts = await rows(query);
      expect(fromCounts.length).toBeGreaterThan(0);
      expect(await rows(`${query}&minConfidence=0`)).toEqual(fromCounts);
    }
    expect(await rows('?interval=week&groupBy=country&from=2025-02-25&to=2025-03-10')).toEqual([
      '2025-02-24 IDN 1',
      '2025-02-24 RUS 2',
      '2025-02-24 THA 1',
      '2025-03-10 RUS 1',
      '2025-03-10 VNM 1',
    ]);
  });

  it('without groupBy, one series "all"; by day, with date filters', async () => {
    expect(await rows('?interval=day&type=visit')).toEqual(['2025-02-24 all 1', '2025-02-26 all 1']);
    expect(await rows('?interval=month&from=2025-03-01&to=2025-03-15')).toEqual(['2025-03-01 all 2']);
    expect(await rows('?interval=week&asOf=2025-02-25T00:00:00Z')).toEqual(['2025-02-24 all 1']);
  });

  it.each([
    ['?interval=year', /parameter "interval"/],
    ['?groupBy=actor', /parameter "groupBy"/],
    ['?country=XX', /parameter "country"/],
    ['?limit=10', /unknown parameter.*limit/],
  ])('answers %s with a 400 naming the parameter', async (query, message) => {
    const { status, body } = await get(query);
    expect(status).toBe(400);
    expect(body.message).toMatch(message);
  });
});
