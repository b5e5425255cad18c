import type { ArticleClassification } from './classify-article';
import { calibrationOutcomes, parseLabelledJsonl, scoreRun, type LabelledItem } from './evaluation';

const item = (
  id: string,
  relevant: boolean,
  types: LabelledItem['label']['event_types'] = [],
): LabelledItem => ({
  id,
  title: id,
  text: id,
  published: '2025-01-01',
  label: {
    relevant,
    event_types: types,
    countries: relevant ? ['IDN', 'RUS'] : [],
    actors: relevant ? ['Sergei Shoigu'] : [],
  },
});

const out = (
  relevant: boolean,
  eventTypes: ArticleClassification['eventTypes'] = [],
  countries: string[] = [],
  actors: string[] = [],
): ArticleClassification => ({
  articleId: 'x',
  watch: 'w',
  rulesVersion: '1',
  relevant,
  relevance: relevant ? 0.9 : 0.1,
  scores: { relevance: relevant ? 0.8 : 0.1, events: [] },
  eventTypes,
  countries,
  actors,
  diplomaticEvents: [],
  context: [],
  evidence: [],
  reasons: [],
  explanation: [],
  cameo: [],
});

describe('scoreRun', () => {
  describe('given a run with a hit, a false alarm, a miss and a correct rejection', () => {
    const { summary, counts } = scoreRun([
      { item: item('a', true, ['visit']), out: out(true, ['visit'], ['IDN', 'RUS'], ['Sergei Shoigu']) },
      { item: item('b', false), out: out(true, ['statement']) },
      { item: item('c', true, ['visit']), out: out(false) },
      { item: item('d', false), out: out(false) },
    ]);

    it('has exactly the shape the eval --json line promises', () => {
      expect(Object.keys(summary)).toEqual(['n', 'relevance', 'types', 'countries', 'actors']);
      expect(Object.keys(summary.relevance)).toEqual(['precision', 'recall', 'f1']);
      expect(Object.keys(summary.types)).toEqual(['macroF1', 'perType']);
      expect(Object.keys(summary.countries)).toEqual(['exactMatch']);
      expect(Object.keys(summary.actors)).toEqual(['recall']);
    });

    it('scores relevance, types, countries and actors', () => {
      expect(counts).toMatchObject({ tp: 1, fp: 1, fn: 1, tn: 1, positives: 2 });
      expect(summary.relevance).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5 });
      expect(summary.types.perType.visit).toMatchObject({
        precision: 1,
        recall: 0.5,
        support: 2,
        predicted: 1,
      });
      expect(summary.types.perType.statement).toMatchObject({ precision: 0, recall: 0, f1: 0, support: 0 });
      expect(summary.countries.exactMatch).toBe(0.5);
      expect(summary.actors.recall).toBe(0.5);
    });

    it('averages F1 over the types that occur in the labels or the predictions only', () => {
      // visit F1 0.667, statement 0 (a false alarm); the seven absent types say nothing.
      expect(summary.types.macroF1).toBe(0.333);
    });
  });
});

describe('calibrationOutcomes', () => {
  it("pairs each article's raw evidence score with whether it is relevant", () => {
    const o = calibrationOutcomes([
      { item: item('a', true), out: out(true) },
      { item: item('b', false), out: out(false) },
    ]);
    expect(o.relevance).toEqual([
      { score: 0.8, correct: true },
      { score: 0.1, correct: false },
    ]);
  });
});

describe('parseLabelledJsonl', () => {
  it('names the line of a bad record', () => {
    const good = JSON.stringify(item('a', true));
    expect(() => parseLabelledJsonl(`${good}\n\n{"id": "b"}\n`, 'x.jsonl')).toThrow(/^x\.jsonl:3: /);
    expect(parseLabelledJsonl(`${good}\n`)).toHaveLength(1);
  });
});
