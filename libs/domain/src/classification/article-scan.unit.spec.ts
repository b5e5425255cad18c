import { loadDefaultWatch } from './load-watch';
import { scanArticle, scanSentence } from './sentence-terms';
import { toSentences } from './text';

describe('toSentences', () => {
  const watch = loadDefaultWatch();

  describe('when an article has a dateline, a caption and feed boilerplate', () => {
    const article = toSentences(
      'Putin arrives in Vietnam',
      'HANOI (Reuters) - Vladimir Putin arrived in Hanoi on Wednesday. He will meet To Lam.\n' +
        'Vladimir Putin in Pyongyang. (Photo: Reuters)\n' +
        'Read Full Article at RT.com',
      watch,
    );

    it('cuts every sentence as a slice of the article text', () => {
      for (const s of article.sentences)
        expect(article.text.slice(s.start, s.start + s.text.length)).toBe(s.text);
    });

    it('drops the dateline and the boilerplate, and marks the caption', () => {
      expect(article.sentences.map((s) => [s.zone, s.skipped, s.text])).toEqual([
        ['title', null, 'Putin arrives in Vietnam'],
        ['lead', null, 'Vladimir Putin arrived in Hanoi on Wednesday.'],
        ['body', null, 'He will meet To Lam.'],
        ['body', 'caption', 'Vladimir Putin in Pyongyang.'],
        ['body', 'caption', '(Photo: Reuters)'],
      ]);
      expect(article.text).not.toContain('RT.com');
    });
  });

  describe('when the body only repeats the headline', () => {
    it('reads the headline once', () => {
      expect(toSentences('Shoigu visits Jakarta', 'Shoigu visits Jakarta.', watch).sentences).toHaveLength(1);
    });
  });
});

describe('scanArticle', () => {
  const watch = loadDefaultWatch();

  describe('when the whole article is scanned at once', () => {
    const article = toSentences(
      'Malaysia Airlines flight lands in Moscow',
      'Anwar Ibrahim met Vladimir Putin. The two discussed trade.',
      watch,
    );
    const terms = scanArticle(article, watch);

    it('hands each sentence its own matches, with offsets relative to the sentence', () => {
      const lead = terms[1]!;
      expect(lead.officials.map((m) => m.text)).toEqual(['Anwar Ibrahim', 'Vladimir Putin']);
      for (const m of lead.officials) expect(article.sentences[1]!.text.slice(m.start, m.end)).toBe(m.text);
      expect(terms[2]!.officials).toEqual([]);
    });

    it('gives the same result as scanning each sentence alone', () => {
      article.sentences.forEach((s, i) => expect(terms[i]).toEqual(scanSentence(s.text, watch)));
    });

    it('hides country words inside suppressed phrases', () => {
      expect(terms[0]!.entities.map((m) => m.value.entity.code)).toEqual(['RUS']);
    });
  });
});
