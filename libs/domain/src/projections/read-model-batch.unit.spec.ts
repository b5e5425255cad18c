import { type NewsEvent, createEvent } from '@diplowatch/contracts';
import {
  articleClassified as classified,
  diplomaticEventDetected as detected,
  articleIngested as ingested,
} from '@diplowatch/testing';
import { type LoggedEvent, type ReadModelState, foldReadModelBatch, sourceKey } from './read-model-batch';

const empty = (): ReadModelState => ({
  articles: new Map(),
  aliases: new Map(),
  events: new Map(),
  sources: new Map(),
});

const log = (...events: NewsEvent[]): LoggedEvent[] =>
  events.map((event, i) => ({ event, streamSequence: i + 1 }));

describe('foldReadModelBatch', () => {
  describe('given an empty store, when a new article is ingested and classified in one batch', () => {
    const writes = foldReadModelBatch(empty(), log(ingested('a'), classified('a')));

    it('inserts it once, classified, at the classification sequence', () => {
      expect(writes.articleContents).toHaveLength(1);
      expect(writes.articleContents[0]).toMatchObject({ id: 'a', lastSequence: 2 });
      expect(writes.articleContents[0]!.classification?.data.relevant).toBe(true);
      expect(writes.articleClassifications).toEqual([]);
      expect(writes.checkpoint).toBe(2);
    });
  });

  describe('given an article already stored at sequence 5', () => {
    const state = (): ReadModelState => ({
      ...empty(),
      articles: new Map([['a', { lastSequence: 5, contentHash: 'h1' }]]),
    });

    it('when events at or below 5 come again, then nothing is written but the checkpoint', () => {
      const writes = foldReadModelBatch(state(), log(ingested('a'), classified('a')));
      expect(writes.articleContents).toEqual([]);
      expect(writes.articleClassifications).toEqual([]);
      expect(writes.checkpoint).toBe(2);
    });

    it('when a revision and then a classification of the old revision follow, then the stale classification is ignored', () => {
      const writes = foldReadModelBatch(state(), [
        { event: ingested('a', 'h2'), streamSequence: 6 },
        { event: classified('a', 'h1'), streamSequence: 7 },
      ]);
      expect(writes.articleContents.map((a) => a.data.contentHash)).toEqual(['h2']);
      expect(writes.articleClassifications).toEqual([]);
    });
  });

  it('given no article, when its classification or detection comes first, then those are not yet applicable', () => {
    const writes = foldReadModelBatch(empty(), log(classified('x'), detected('k', 'x')));
    expect(writes.notYetApplicable.map((f) => f.streamSequence)).toEqual([1, 2]);
    expect(writes.checkpoint).toBeNull();
  });

  describe('given a detection already applied from an article', () => {
    it('when it is replayed, then no version, source or event is written', () => {
      const first = foldReadModelBatch(empty(), log(ingested('a'), detected('k', 'a')));
      expect(first.versions.map((v) => v.change)).toEqual(['created']);
      const stored: ReadModelState = {
        articles: new Map([['a', { lastSequence: 1, contentHash: 'h1' }]]),
        aliases: new Map([['k', 'k']]),
        events: new Map([['k', { view: first.events[0]!, version: 1 }]]),
        sources: new Map([[sourceKey('k', 'a'), 2]]),
      };
      const replay = foldReadModelBatch(stored, log(ingested('a'), detected('k', 'a')));
      expect(replay).toMatchObject({
        events: [],
        versions: [],
        sources: [],
        aliases: [],
        articleContents: [],
      });
    });
  });

  it('given two reports of one act in one batch under different keys, then one event with two sources', () => {
    const writes = foldReadModelBatch(
      empty(),
      log(ingested('a'), ingested('b'), detected('k1', 'a'), detected('k2', 'b')),
    );
    expect(writes.events).toHaveLength(1);
    expect(writes.events[0]).toMatchObject({ id: 'k1', sourceCount: 2 });
    expect(writes.aliases.map((a) => [a.alias, a.diplomaticEventId])).toEqual([
      ['k1', 'k1'],
      ['k2', 'k1'],
    ]);
    expect(writes.versions.map((v) => [v.version, v.change])).toEqual([
      [1, 'created'],
      [2, 'source_added'],
    ]);
  });

  describe('given an article seen in a second feed', () => {
    const sourceAdded = (articleId: string) =>
      createEvent('ArticleSourceAdded', {
        id: `sa-${articleId}`,
        data: {
          articleId,
          contentHash: 'h1',
          feedUrl: 'https://other.example.org/rss',
          url: `https://other.example.org/${articleId}`,
          guid: null,
          seenAt: '2025-02-25T00:00:00.000Z',
        },
      });

    it('records both feeds, the first sighting of each', () => {
      const writes = foldReadModelBatch(empty(), log(ingested('a'), sourceAdded('a'), sourceAdded('a')));
      expect(writes.articleFeeds.map((f) => [f.feedUrl, f.lastSequence])).toEqual([
        ['https://example.org/feed.xml', 1],
        ['https://other.example.org/rss', 2],
      ]);
    });

    it('waits for the article when the sighting comes first', () => {
      expect(foldReadModelBatch(empty(), log(sourceAdded('b'))).notYetApplicable).toHaveLength(1);
    });
  });

  describe('the daily time series', () => {
    it('counts a new event once per country pair, and moves it when a later report corrects its date', () => {
      const first = foldReadModelBatch(
        empty(),
        log(ingested('a'), {
          ...detected('k', 'a'),
          data: { ...detected('k', 'a').data, startDate: null, countries: ['RUS', 'IDN', 'MYS'] },
        }),
      );
      expect(first.dailyCounts.map((d) => [d.day, d.countryA, d.countryB, d.events, d.sources])).toEqual([
        ['2025-02-24', 'IDN', 'MYS', 1, 1],
        ['2025-02-24', 'IDN', 'RUS', 1, 1],
        ['2025-02-24', 'MYS', 'RUS', 1, 1],
      ]);
      const stored: ReadModelState = {
        articles: new Map([
          ['a', { lastSequence: 1, contentHash: 'h1' }],
          ['b', { lastSequence: 3, contentHash: 'h1' }],
        ]),
        aliases: new Map([['k', 'k']]),
        events: new Map([['k', { view: { ...first.events[0]!, eventDate: '2025-02-23' }, version: 1 }]]),
        sources: new Map([[sourceKey('k', 'a'), 2]]),
      };
      const second = foldReadModelBatch(stored, [{ event: detected('k', 'b'), streamSequence: 4 }]);
      expect(second.events[0]!.eventDate).toBe('2025-02-24');
      expect(second.dailyCounts).toEqual(
        expect.arrayContaining([
          { day: '2025-02-23', countryA: 'IDN', countryB: 'RUS', type: 'visit', events: -1, sources: -1 },
          { day: '2025-02-24', countryA: 'IDN', countryB: 'RUS', type: 'visit', events: 1, sources: 2 },
        ]),
      );
    });
  });
});
