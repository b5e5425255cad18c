import {
  eventDetailQuerySchema,
  eventIdSchema,
  exportEventsQuerySchema,
  listEventsQuerySchema,
  timeseriesQuerySchema,
} from './event-query';
import { validateQuery } from './query-problems';

const list = (input: Record<string, unknown>) => validateQuery(listEventsQuerySchema, input);
const problem = (result: ReturnType<typeof list>) => (result.ok ? null : result.message);

describe('listEventsQuerySchema', () => {
  describe('given no parameters', () => {
    it('lists newest event date first, 50 a page, matching all of the countries given', () => {
      expect(list({})).toEqual({
        ok: true,
        value: {
          country: [],
          countryMatch: 'all',
          pair: [],
          type: [],
          feed: [],
          sort: 'date',
          order: 'desc',
          limit: 50,
        },
      });
    });
  });

  describe('given lists', () => {
    it('accepts comma-separated and repeated values, and upper-cases country codes', () => {
      const result = list({ country: ['idn,MYS', 'vnm'], type: 'visit,agreement', countryMatch: 'any' });
      expect(result).toMatchObject({
        ok: true,
        value: { country: ['IDN', 'MYS', 'VNM'], countryMatch: 'any', type: ['visit', 'agreement'] },
      });
    });

    it('reads a pair in either order as the same sorted pair', () => {
      expect(list({ pair: 'rus-idn,ASEAN-RUS' })).toMatchObject({
        ok: true,
        value: {
          pair: [
            ['IDN', 'RUS'],
            ['ASEAN', 'RUS'],
          ],
        },
      });
    });

    it('keeps feed URLs whole (they may hold commas): repeat the parameter instead', () => {
      expect(list({ feed: ['https://a.example/rss?x=1,2', 'https://b.example/feed'] })).toMatchObject({
        ok: true,
        value: { feed: ['https://a.example/rss?x=1,2', 'https://b.example/feed'] },
      });
    });
  });

  describe('given bad parameters', () => {
    it.each([
      [{ country: 'Indonesia' }, /^parameter "country" \(value 1\)/],
      [{ country: 'IDN,XX' }, /^parameter "country" \(value 2\)/],
      [{ countryMatch: 'some' }, /^parameter "countryMatch"/],
      [{ pair: 'RUS' }, /^parameter "pair" \(value 1\) must be two country codes/],
      [{ pair: 'RUS-RUS' }, /^parameter "pair" \(value 1\) must name two different countries/],
      [{ actor: '!!!' }, /^parameter "actor" must contain a name/],
      [{ type: 'coup' }, /^parameter "type" \(value 1\)/],
      [{ from: '2025-02-30' }, /^parameter "from" is not a real date/],
      [{ from: '2025-03-01', to: '2025-02-01' }, /^parameter "from" must not be after "to"/],
      [
        { publishedFrom: '2025-03-01', publishedTo: '2025-02-01' },
        /^parameter "publishedFrom" must not be after "publishedTo"/,
      ],
      [{ publishedTo: 'yesterday' }, /^parameter "publishedTo" must be a date/],
      [{ minConfidence: '1.5' }, /^parameter "minConfidence"/],
      [{ minConfidence: 'high' }, /^parameter "minConfidence"/],
      [{ q: '   ' }, /^parameter "q" must not be empty/],
      [{ feed: 'ftp://example.org/feed' }, /^parameter "feed" \(value 1\) must be an http\(s\) URL/],
      [{ asOf: '2025-03-01' }, /^parameter "asOf" must be an ISO 8601 date-time/],
      [{ sort: 'relevance' }, /^parameter "sort"/],
      [{ order: 'up' }, /^parameter "order"/],
      [{ limit: '0' }, /^parameter "limit"/],
      [{ limit: '201' }, /^parameter "limit"/],
      [{ colour: 'red' }, /^unknown parameter\(s\): colour/],
    ])('%p is refused naming the parameter', (input, message) => {
      expect(problem(list(input))).toMatch(message);
    });

    it('names every bad parameter at once', () => {
      expect(problem(list({ type: 'coup', limit: '0' }))).toMatch(/"type".*; parameter "limit"/);
    });
  });

  it('accepts an asOf with a time zone offset and a minimum confidence', () => {
    expect(list({ asOf: '2025-03-01T12:00:00+07:00', minConfidence: '0.75' })).toMatchObject({
      ok: true,
      value: { asOf: '2025-03-01T12:00:00+07:00', minConfidence: 0.75 },
    });
  });
});

describe('exportEventsQuerySchema', () => {
  it('exports CSV by default, every matching event unless limited', () => {
    expect(validateQuery(exportEventsQuerySchema, {})).toMatchObject({ ok: true, value: { format: 'csv' } });
    expect(validateQuery(exportEventsQuerySchema, { format: 'xlsx' })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^parameter "format"/),
    });
  });

  it('has no cursor: an export is the whole query', () => {
    expect(validateQuery(exportEventsQuerySchema, { cursor: 'x' })).toMatchObject({
      ok: false,
      message: 'unknown parameter(s): cursor',
    });
  });
});

describe('timeseriesQuerySchema', () => {
  it('counts per week by default, with the event filters', () => {
    expect(validateQuery(timeseriesQuerySchema, { country: 'IDN', groupBy: 'pair' })).toMatchObject({
      ok: true,
      value: { interval: 'week', groupBy: 'pair', country: ['IDN'] },
    });
  });

  it('refuses an unknown interval or grouping, and paging parameters', () => {
    for (const [input, name] of [
      [{ interval: 'year' }, 'interval'],
      [{ groupBy: 'actor' }, 'groupBy'],
    ] as const) {
      expect(validateQuery(timeseriesQuerySchema, input)).toMatchObject({
        ok: false,
        message: expect.stringContaining(`"${name}"`),
      });
    }
    expect(validateQuery(timeseriesQuerySchema, { limit: '5' })).toMatchObject({ ok: false });
  });
});

describe('eventDetailQuerySchema', () => {
  it('takes only asOf', () => {
    expect(validateQuery(eventDetailQuerySchema, { asOf: '2025-03-01T00:00:00Z' })).toMatchObject({
      ok: true,
    });
    expect(validateQuery(eventDetailQuerySchema, { country: 'IDN' })).toMatchObject({ ok: false });
  });
});

describe('validateQuery of a single named value', () => {
  it('names the parameter it was given', () => {
    expect(validateQuery(eventIdSchema, 'a b', 'id')).toEqual({
      ok: false,
      message: 'parameter "id" is not a valid id',
    });
  });
});
