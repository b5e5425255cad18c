import { type DiplomaticEventDetectedV1 } from '@diplowatch/contracts';
import { evolveDiplomaticEvent } from './diplomatic-event.projection';

const detected = (overrides: Partial<DiplomaticEventDetectedV1> = {}): DiplomaticEventDetectedV1 => ({
  diplomaticEventId: 'de-1',
  articleId: 'a-1',
  watch: 'russia-sea',
  rulesVersion: '1.0.0',
  type: 'visit',
  countries: ['RUS', 'IDN'],
  actors: [{ name: 'Sergei Shoigu', office: 'Security Council Secretary', country: 'RUS', role: 'actor' }],
  confidence: 0.8,
  summary: 'Shoigu visits Indonesia',
  startDate: '2025-02-24',
  endDate: '2025-02-28',
  place: null,
  topics: ['security'],
  evidence: [{ sentence: 'Shoigu is visiting Indonesia.', rules: ['visit'] }],
  context: [],
  publishedAt: '2025-02-24T08:00:00.000Z',
  ...overrides,
});

describe('evolveDiplomaticEvent', () => {
  describe('given no view, when a first outlet reports the act', () => {
    it('creates the view with one source and the stated dates', () => {
      const view = evolveDiplomaticEvent(null, {
        data: detected(),
        occurredAt: '2025-02-24T09:00:00.000Z',
        streamSequence: 3,
        isNewSource: true,
      });
      expect(view).toMatchObject({
        id: 'de-1',
        sourceCount: 1,
        eventDate: '2025-02-24',
        firstSeenAt: '2025-02-24T08:00:00.000Z',
        countries: ['IDN', 'RUS'],
      });
    });
  });

  describe('given a view, when a second outlet reports the same act', () => {
    const first = evolveDiplomaticEvent(null, {
      data: detected(),
      occurredAt: '2025-02-24T09:00:00.000Z',
      streamSequence: 3,
      isNewSource: true,
    });
    const second = evolveDiplomaticEvent(first, {
      data: detected({
        articleId: 'a-2',
        countries: ['RUS', 'IDN', 'MYS'],
        confidence: 0.9,
        publishedAt: '2025-02-25T08:00:00.000Z',
        topics: ['defense'],
      }),
      occurredAt: '2025-02-25T09:00:00.000Z',
      streamSequence: 7,
      isNewSource: true,
    });

    it('merges countries, topics and confidence and counts both sources', () => {
      expect(second).toMatchObject({
        countries: ['IDN', 'MYS', 'RUS'],
        topics: ['defense', 'security'],
        confidence: 0.9,
        sourceCount: 2,
        firstSeenAt: '2025-02-24T08:00:00.000Z',
        lastSeenAt: '2025-02-25T08:00:00.000Z',
        lastSequence: 7,
      });
    });

    it('changes nothing but the sequence when the same source is applied again', () => {
      const again = evolveDiplomaticEvent(second, {
        data: detected({
          articleId: 'a-2',
          countries: ['RUS', 'IDN', 'MYS'],
          confidence: 0.9,
          topics: ['defense'],
          publishedAt: '2025-02-25T08:00:00.000Z',
        }),
        occurredAt: '2025-02-25T09:00:00.000Z',
        streamSequence: 7,
        isNewSource: false,
      });
      expect(again).toEqual(second);
    });
  });

  describe('when the text gives no date', () => {
    it('dates the event by the publication date', () => {
      const view = evolveDiplomaticEvent(null, {
        data: detected({ startDate: null, endDate: null }),
        occurredAt: '2025-03-01T00:00:00.000Z',
        streamSequence: 1,
        isNewSource: true,
      });
      expect(view.eventDate).toBe('2025-02-24');
    });
  });
});
