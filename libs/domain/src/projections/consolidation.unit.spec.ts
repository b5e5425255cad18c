import { type Actor, type DiplomaticEventDetectedV1 } from '@diplowatch/contracts';
import {
  type ConsolidationInput,
  candidateEventDateRange,
  consolidateDetection,
  matchDetection,
  principalActor,
} from './consolidation';
import { type DiplomaticEventView, evolveDiplomaticEvent } from './diplomatic-event.projection';

const shoigu: Actor = {
  name: 'Sergei Shoigu',
  office: 'Security Council Secretary',
  country: 'RUS',
  role: 'actor',
};
const prabowo: Actor = { name: 'Prabowo Subianto', office: 'President', country: 'IDN', role: 'host' };
const lavrov: Actor = { name: 'Sergey Lavrov', office: 'Foreign Minister', country: 'RUS', role: 'actor' };

const detection = (overrides: Partial<DiplomaticEventDetectedV1> = {}): ConsolidationInput => ({
  data: {
    diplomaticEventId: 'key-1',
    type: 'visit',
    countries: ['RUS', 'IDN'],
    actors: [shoigu],
    startDate: '2025-02-24',
    endDate: '2025-02-28',
    publishedAt: '2025-02-24T08:00:00.000Z',
    ...overrides,
  },
  occurredAt: '2025-02-24T09:00:00.000Z',
});

const event = (overrides: Partial<DiplomaticEventView> = {}): DiplomaticEventView => ({
  id: 'ev-1',
  type: 'visit',
  countries: ['IDN', 'MYS', 'RUS'],
  actors: [shoigu],
  confidence: 0.8,
  summary: 'Visit: RUS, IDN, MYS — Sergei Shoigu',
  startDate: '2025-02-24',
  endDate: '2025-02-28',
  eventDate: '2025-02-24',
  place: null,
  topics: [],
  rulesVersion: '1',
  firstSeenAt: '2025-02-24T08:00:00.000Z',
  lastSeenAt: '2025-02-24T08:00:00.000Z',
  sourceCount: 1,
  lastSequence: 1,
  ...overrides,
});

describe('matchDetection', () => {
  describe('given a visit by Shoigu to Indonesia and Malaysia on 24–28 February', () => {
    const visit = event();

    it('when an outlet reports only the Indonesian leg, then it is the same act', () => {
      expect(matchDetection(detection(), visit)).toEqual({ sharedCountries: 2, dayGap: 0 });
    });

    it('when an undated report is published on 2 March, then it is within the window of the end date', () => {
      const late = detection({ startDate: null, endDate: null, publishedAt: '2025-03-02T10:00:00.000Z' });
      expect(matchDetection(late, visit)).toEqual({ sharedCountries: 2, dayGap: 2 });
    });

    it('when a report is about a week later, then it is another act', () => {
      expect(matchDetection(detection({ startDate: '2025-03-05', endDate: null }), visit)).toBeNull();
    });

    it('when the type differs, then it is another act', () => {
      expect(matchDetection(detection({ type: 'meeting_talks' }), visit)).toBeNull();
    });

    it('when the countries share only Russia, then it is another act', () => {
      expect(matchDetection(detection({ countries: ['RUS', 'VNM'] }), visit)).toBeNull();
    });

    it('when another Russian official is the principal and Shoigu is not named, then it is another act', () => {
      expect(matchDetection(detection({ actors: [lavrov] }), visit)).toBeNull();
    });

    it('when the report names only the host, then the principals do not conflict', () => {
      expect(
        matchDetection(detection({ actors: [prabowo] }), event({ actors: [shoigu, prabowo] })),
      ).not.toBeNull();
    });

    it('when the report names no one, then it can still join', () => {
      expect(matchDetection(detection({ actors: [] }), visit)).not.toBeNull();
    });
  });

  describe('given an act involving one country only', () => {
    it('matches a report with that country among others', () => {
      const statement = event({ type: 'statement', countries: ['RUS'], actors: [] });
      expect(matchDetection(detection({ type: 'statement', actors: [] }), statement)).toEqual({
        sharedCountries: 1,
        dayGap: 0,
      });
    });
  });
});

describe('consolidateDetection', () => {
  it('given a merge key seen before, maps the detection to the event it was mapped to, whatever the candidates', () => {
    expect(consolidateDetection(detection(), 'ev-9', [event()])).toEqual({
      kind: 'known',
      diplomaticEventId: 'ev-9',
    });
  });

  it('given no match, makes a new event named by the merge key', () => {
    expect(consolidateDetection(detection({ countries: ['RUS', 'LAO'] }), undefined, [event()])).toEqual({
      kind: 'new',
      diplomaticEventId: 'key-1',
    });
  });

  it('given several matches, picks the most shared countries, then the closest dates, then the smallest id', () => {
    const candidates = [
      event({ id: 'c-far', eventDate: '2025-02-21', startDate: '2025-02-21', endDate: null }),
      event({ id: 'b-near', countries: ['IDN', 'RUS'] }),
      event({ id: 'a-near', countries: ['IDN', 'RUS'] }),
    ];
    const decision = consolidateDetection(detection(), undefined, candidates);
    expect(decision).toMatchObject({ kind: 'merged', diplomaticEventId: 'a-near' });
    expect(consolidateDetection(detection(), undefined, [...candidates].reverse())).toEqual(decision);
  });
});

describe('candidateEventDateRange', () => {
  it('covers every event date that could match', () => {
    expect(candidateEventDateRange(detection())).toEqual({ from: '2025-01-21', to: '2025-03-03' });
  });
});

describe('principalActor', () => {
  it('is the first actor in the role "actor", else the first named', () => {
    expect(principalActor([prabowo, shoigu])).toBe('Sergei Shoigu');
    expect(principalActor([prabowo])).toBe('Prabowo Subianto');
    expect(principalActor([])).toBeNull();
  });
});

describe('a consolidated event, folded from reports in log order', () => {
  const report = (key: string, overrides: Partial<DiplomaticEventDetectedV1>) => ({
    diplomaticEventId: key,
    articleId: `article-${key}`,
    watch: 'russia-sea',
    rulesVersion: '1',
    type: 'visit' as const,
    countries: ['RUS', 'IDN'],
    actors: [shoigu],
    confidence: 0.7,
    summary: `report ${key}`,
    startDate: null,
    endDate: null,
    place: null,
    topics: [],
    evidence: [{ sentence: 's', rules: [] }],
    context: [],
    publishedAt: '2025-02-25T08:00:00.000Z',
    ...overrides,
  });

  it('given an undated first report, when a later one states the dates, then the dates are corrected and extended', () => {
    const first = evolveDiplomaticEvent(null, {
      data: report('k1', {}),
      occurredAt: '2025-02-25T09:00:00.000Z',
      streamSequence: 1,
      isNewSource: true,
    });
    expect(first.eventDate).toBe('2025-02-25');
    const second = report('k2', {
      countries: ['RUS', 'IDN', 'MYS'],
      startDate: '2025-02-24',
      endDate: '2025-02-27',
    });
    const input = { data: second, occurredAt: '2025-02-26T09:00:00.000Z' };
    expect(consolidateDetection(input, undefined, [first])).toMatchObject({
      kind: 'merged',
      diplomaticEventId: 'k1',
    });
    const merged = evolveDiplomaticEvent(first, { ...input, streamSequence: 2, isNewSource: true });
    const third = report('k3', { startDate: '2025-02-24', endDate: '2025-02-28' });
    const extended = evolveDiplomaticEvent(merged, {
      data: third,
      occurredAt: '2025-02-28T09:00:00.000Z',
      streamSequence: 3,
      isNewSource: true,
    });
    expect(extended).toMatchObject({
      id: 'k1',
      eventDate: '2025-02-24',
      startDate: '2025-02-24',
      endDate: '2025-02-28',
      countries: ['IDN', 'MYS', 'RUS'],
      sourceCount: 3,
      summary: 'report k1',
    });
  });
});
