import {
  diffArticleEvents,
  formatReclassifyReport,
  type EventSnapshot,
  type OldEvent,
} from './reclassify-diff';

const base = {
  articleId: 'a1',
  title: 'Shoigu visits Indonesia',
  rulesBefore: '1',
  rulesAfter: '2',
  relevantBefore: true,
  relevantAfter: true,
};
const snap = (over: Partial<EventSnapshot>): EventSnapshot => ({
  id: 'k',
  type: 'visit',
  countries: ['IDN', 'RUS'],
  actors: ['Sergei Shoigu'],
  startDate: '2025-02-24',
  endDate: '2025-02-28',
  ...over,
});
const old = (over: Partial<OldEvent>): OldEvent => ({ ...snap({}), keys: [], ...over });

describe('diffArticleEvents', () => {
  describe('when the new rules find the same act under the same key', () => {
    it('counts it unchanged', () => {
      const d = diffArticleEvents(base, [old({ id: 'row-1', keys: ['k'] })], [snap({ id: 'k' })]);
      expect(d).toMatchObject({ appeared: [], changed: [], vanished: [], unchanged: 1 });
    });
  });

  describe('when the act is told differently (another type, a new actor, a date)', () => {
    it('reports it changed, naming the fields', () => {
      const d = diffArticleEvents(
        base,
        [old({ id: 'row-1', keys: ['old-key'], startDate: null, endDate: null })],
        [snap({ id: 'new-key', type: 'meeting_talks', actors: ['Prabowo Subianto', 'Sergei Shoigu'] })],
      );
      expect(d.changed).toEqual([
        expect.objectContaining({
          fields: ['type', 'actors', 'dates'],
          after: expect.objectContaining({ id: 'new-key' }),
        }),
      ]);
      expect(d.appeared).toEqual([]);
      expect(d.vanished).toEqual([]);
    });
  });

  describe('when acts share only the anchor', () => {
    it('reports the new one appeared and the old one vanished', () => {
      const d = diffArticleEvents(
        base,
        [old({ id: 'row-1', type: 'statement', countries: ['MMR', 'RUS'] })],
        [snap({ id: 'k2', type: 'military_exercise', countries: ['IDN', 'RUS'] })],
        ['RUS'],
      );
      expect(d.changed).toEqual([]);
      expect(d.appeared.map((e) => e.id)).toEqual(['k2']);
      expect(d.vanished.map((e) => e.id)).toEqual(['row-1']);
    });
  });
});

describe('formatReclassifyReport', () => {
  it('lists only articles with changes, then the totals', () => {
    const unchanged = diffArticleEvents(base, [old({ keys: ['k'] })], [snap({})]);
    const vanished = diffArticleEvents(
      { ...base, articleId: 'a2', relevantAfter: false },
      [old({ id: 'row-2' })],
      [],
    );
    const lines = formatReclassifyReport(
      [unchanged, vanished],
      {
        articles: 2,
        current: 0,
        reclassified: 2,
        relevantBefore: 2,
        relevantAfter: 1,
        appeared: 0,
        changed: 0,
        vanished: 1,
        unchanged: 1,
        published: 0,
        duplicates: 0,
      },
      'reclassify',
    );
    expect(lines.some((l) => l.startsWith('a1 '))).toBe(false);
    expect(lines).toEqual(
      expect.arrayContaining([
        'a2 [1 -> 2] Shoigu visits Indonesia (relevant: true -> false)',
        '  - vanished  visit IDN,RUS — Sergei Shoigu 2025-02-24..2025-02-28',
        'diplomatic events: 0 appeared, 0 changed, 1 vanished, 1 unchanged',
      ]),
    );
  });
});
