import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseWatch, loadDefaultWatch } from './load-watch';
import {
  articleIngestedEventId,
  classificationEvents,
  type ClassifiableArticle,
} from './classification-events';

const article: ClassifiableArticle = {
  articleId: 'a1',
  contentHash: 'h1',
  title: 'Shoigu visits Indonesia and Malaysia',
  text: 'Sergei Shoigu is visiting Indonesia and Malaysia from February 24-28 to discuss security and defense.',
  publishedAt: '2025-02-24T08:00:00.000Z',
};
const causation = { correlationId: 'c', causationId: articleIngestedEventId('a1', 'h1') };

describe('classificationEvents', () => {
  const watch = loadDefaultWatch();

  describe('when an article reports a diplomatic event', () => {
    const { result, events } = classificationEvents(article, watch, causation);

    it('yields the classification first, then one detection per event, all with the rules version', () => {
      expect(events.map((e) => e.type)).toEqual(['ArticleClassified', 'DiplomaticEventDetected']);
      for (const e of events)
        expect(e.data).toMatchObject({ watch: 'russia-sea', rulesVersion: watch.version });
      const [classified, detected] = events;
      if (classified?.type !== 'ArticleClassified' || detected?.type !== 'DiplomaticEventDetected')
        throw new Error();
      expect(classified.data.diplomaticEventIds).toEqual([detected.data.diplomaticEventId]);
      expect(detected.data).toMatchObject({
        articleId: 'a1',
        publishedAt: article.publishedAt,
        type: 'visit',
      });
      expect(result.relevant).toBe(true);
    });

    it('links every event to the article revision that caused it', () => {
      for (const e of events) expect(e.metadata).toEqual(causation);
    });

    it('gives the same ids for the same revision and rules, so re-publishing is dropped', () => {
      expect(classificationEvents(article, watch, causation).events.map((e) => e.id)).toEqual(
        events.map((e) => e.id),
      );
    });
  });

  describe('when the rules version changes', () => {
    it('gives new event ids but keeps the diplomatic event merge key', () => {
      const watchJson = JSON.parse(JSON.stringify(loadDefaultWatch().data.manifest)) as Record<
        string,
        unknown
      >;
      const read = (f: string): string => fs.readFileSync(path.join(watch.dir, f), 'utf8');
      const next = parseWatch({
        'watch.json': JSON.stringify({ ...watchJson, version: 'next' }),
        'countries.json': read('countries.json'),
        'officials.json': read('officials.json'),
        'rules.json': read('rules.json'),
      });
      const before = classificationEvents(article, watch, causation).events;
      const after = classificationEvents(article, next, causation).events;
      for (const e of after) expect(before.map((b) => b.id)).not.toContain(e.id);
      const key = (es: typeof before): string | undefined =>
        es.find((e) => e.type === 'DiplomaticEventDetected')?.data.diplomaticEventId;
      expect(key(after)).toBe(key(before));
    });
  });
});
