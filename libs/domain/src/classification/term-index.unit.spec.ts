import { longestFirst, PatternSet, TermIndex, tokenize, type Match } from './term-index';

const texts = <T>(ms: Match<T>[]): string[] => ms.map((m) => m.text);

describe('tokenize', () => {
  describe('when a text mixes words, punctuation and typographic dashes and quotes', () => {
    const text = 'Russia’s Su‑30MKM – “a deal”';
    const t = tokenize(text);

    it('keeps words whole and every punctuation mark apart (dashes and quotes unified), with offsets', () => {
      expect(t.folded).toEqual(['russia', "'", 's', 'su', '-', '30mkm', '-', '"', 'a', 'deal', '"']);
      t.starts.forEach((s, i) => expect(text.slice(s, t.ends[i]).length).toBeGreaterThan(0));
      expect(text.slice(t.starts[5], t.ends[5])).toBe('30MKM');
    });
  });

  describe('when a text has letters beyond ASCII', () => {
    it('reads them as word characters', () => {
      expect(tokenize('Tô Lâm met Nguyễn Phú Trọng').folded).toEqual([
        'tô',
        'lâm',
        'met',
        'nguyễn',
        'phú',
        'trọng',
      ]);
    });
  });
});

describe('TermIndex', () => {
  const index = new TermIndex<string>();
  index.add('security and defense', 'trigger');
  index.add('security', 'topic');
  index.add('defense', 'topic');
  index.add('visit*', 'visit');
  index.add('Su-30*', 'arms');
  index.add('US', 'usa', true);
  index.add("Lavrov's ministry", 'body');

  describe('when terms of several categories overlap', () => {
    it('finds every one of them in one scan', () => {
      const found = index.scan('talks on security and defense');
      expect(found.map((m) => [m.text, m.value])).toEqual([
        ['security', 'topic'],
        ['security and defense', 'trigger'],
        ['defense', 'topic'],
      ]);
    });
  });

  describe('when a term ends with a wildcard', () => {
    it('matches any ending of its last word, on word boundaries', () => {
      expect(texts(index.scan('He visited Hanoi; visitors came; revisit'))).toEqual(['visited', 'visitors']);
      expect(texts(index.scan('two Su‑30SME jets'))).toEqual(['Su‑30SME']);
    });
  });

  describe('when a term is case-sensitive', () => {
    it('matches only as written', () => {
      expect(texts(index.scan('the US and us'))).toEqual(['US']);
    });
  });

  describe('when the text spells apostrophes and whitespace differently', () => {
    it('still matches', () => {
      expect(texts(index.scan('Lavrov’s\n ministry said'))).toEqual(['Lavrov’s\n ministry']);
    });
  });
});

describe('longestFirst', () => {
  it('keeps the longest match at each position and drops overlaps', () => {
    const m = (start: number, end: number): Match<null> => ({ start, end, text: '', value: null });
    expect(longestFirst([m(0, 8), m(0, 20), m(9, 16), m(21, 25)]).map((x) => [x.start, x.end])).toEqual([
      [0, 20],
      [21, 25],
    ]);
  });
});

describe('PatternSet', () => {
  describe('when a pattern is anchored at the end', () => {
    it('reads each line of a multi-line text as its own', () => {
      const p = new PatternSet<string>();
      p.add('[-–]\\s+\\p{Lu}\\p{L}+$', 'attribution');
      expect(texts(p.scan('Trade grows – Putin\nbody text – not at the end of a line here'))).toEqual([
        '– Putin',
      ]);
    });
  });

  describe('when a pattern could match inside a word', () => {
    it('matches on word boundaries only', () => {
      const p = new PatternSet<string>();
      p.add('members?', 'member');
      expect(texts(p.scan('membership of members'))).toEqual(['members']);
    });
  });
});
