import { countryCountDeltas } from './country-counts';
import { type DiplomaticEventView } from './diplomatic-event.projection';

const view = (id: string, eventDate: string, countries: string[]): DiplomaticEventView => ({
  id,
  type: 'visit',
  countries,
  actors: [],
  confidence: 0.9,
  summary: '',
  startDate: null,
  endDate: null,
  eventDate,
  place: null,
  topics: [],
  rulesVersion: '1',
  firstSeenAt: '2025-02-24T00:00:00.000Z',
  lastSeenAt: '2025-02-24T00:00:00.000Z',
  sourceCount: 1,
  lastSequence: 1,
});

const sorted = <T extends { day: string; country: string }>(rows: T[]) =>
  [...rows].sort((a, b) => `${a.day} ${a.country}`.localeCompare(`${b.day} ${b.country}`));

describe('countryCountDeltas', () => {
  it('counts a new event once per country on its event date', () => {
    expect(
      sorted(countryCountDeltas([[null, view('a', '2025-02-24', ['RUS', 'IDN', 'MYS', 'IDN'])]])),
    ).toEqual([
      { day: '2025-02-24', country: 'IDN', events: 1 },
      { day: '2025-02-24', country: 'MYS', events: 1 },
      { day: '2025-02-24', country: 'RUS', events: 1 },
    ]);
  });

  it('moves an event whose date is corrected or that gains a country, and leaves out what nets to zero', () => {
    const deltas = countryCountDeltas([
      [view('a', '2025-02-24', ['IDN', 'RUS']), view('a', '2025-02-20', ['IDN', 'RUS'])],
      [view('b', '2025-03-01', ['RUS', 'VNM']), view('b', '2025-03-01', ['LAO', 'RUS', 'VNM'])],
      // A source added: nothing the counts hold changes.
      [
        view('c', '2025-03-05', ['RUS', 'THA']),
        { ...view('c', '2025-03-05', ['RUS', 'THA']), sourceCount: 2 },
      ],
    ]);
    expect(sorted(deltas)).toEqual([
      { day: '2025-02-20', country: 'IDN', events: 1 },
      { day: '2025-02-20', country: 'RUS', events: 1 },
      { day: '2025-02-24', country: 'IDN', events: -1 },
      { day: '2025-02-24', country: 'RUS', events: -1 },
      { day: '2025-03-01', country: 'LAO', events: 1 },
    ]);
  });

  it('sums the changes of several events on one day', () => {
    expect(
      sorted(
        countryCountDeltas([
          [null, view('a', '2025-02-24', ['IDN', 'RUS'])],
          [null, view('b', '2025-02-24', ['RUS', 'VNM'])],
        ]),
      ),
    ).toEqual([
      { day: '2025-02-24', country: 'IDN', events: 1 },
      { day: '2025-02-24', country: 'RUS', events: 2 },
      { day: '2025-02-24', country: 'VNM', events: 1 },
    ]);
  });
});
