import { evolveAlertedEvent } from './alerted-event';
import { record } from './alerts.fixtures';
import { matchesFilter, normalizeForMatch } from './match-filter';
import { subscriptionFilterSchema } from './subscription';

const shoiguVisit = evolveAlertedEvent(null, record()).state;
const matches = (filter: Record<string, unknown>) =>
  matchesFilter(subscriptionFilterSchema.parse(filter), shoiguVisit);

describe('matchesFilter', () => {
  describe('given the Shoigu visit to Indonesia and Malaysia', () => {
    it('matches an empty filter', () => {
      expect(matches({})).toBe(true);
    });

    describe('when the filter names countries', () => {
      it('needs all of them by default, like GET /events?country=', () => {
        expect(matches({ countries: ['RUS', 'IDN'] })).toBe(true);
        expect(matches({ countries: ['RUS', 'VNM'] })).toBe(false);
      });
      it('needs any of them with countryMatch "any"', () => {
        expect(matches({ countries: ['VNM', 'idn'], countryMatch: 'any' })).toBe(true);
        expect(matches({ countries: ['VNM', 'THA'], countryMatch: 'any' })).toBe(false);
      });
    });

    describe('when the filter names a pair', () => {
      it('needs both countries involved', () => {
        expect(matches({ pair: ['RUS', 'IDN'] })).toBe(true);
        expect(matches({ pair: ['IDN', 'VNM'] })).toBe(false);
      });
    });

    describe('when the filter names actors', () => {
      it('matches whole words of a name, whatever the case and accents', () => {
        expect(matches({ actors: ['shoigu'] })).toBe(true);
        expect(matches({ actors: ['Sergéi Shoigu'] })).toBe(true);
        expect(matches({ actors: ['Shoi'] })).toBe(false);
        expect(matches({ actors: ['Lavrov', 'Putin'] })).toBe(false);
      });
    });

    describe('when the filter names types and a minimum confidence', () => {
      it('needs one of the types and at least that confidence', () => {
        expect(matches({ types: ['visit', 'agreement'] })).toBe(true);
        expect(matches({ types: ['arms_trade'] })).toBe(false);
        expect(matches({ minConfidence: 0.8 })).toBe(true);
        expect(matches({ minConfidence: 0.81 })).toBe(false);
      });
    });

    describe('when the filter names keywords', () => {
      it('finds any of them as words in the summary, evidence, place or topics', () => {
        expect(matches({ keywords: ['defense'] })).toBe(true);
        expect(matches({ keywords: ['discuss security'] })).toBe(true);
        expect(matches({ keywords: ['jakarta'] })).toBe(true);
        expect(matches({ keywords: ['BRICS', 'nuclear'] })).toBe(false);
        expect(matches({ keywords: ['secur'] })).toBe(false);
      });
    });

    it('needs every criterion given to hold', () => {
      expect(matches({ pair: ['RUS', 'IDN'], types: ['visit'], actors: ['Shoigu'] })).toBe(true);
      expect(matches({ pair: ['RUS', 'IDN'], types: ['visit'], actors: ['Lavrov'] })).toBe(false);
    });
  });
});

describe('normalizeForMatch', () => {
  it('folds case, accents and punctuation to padded words', () => {
    expect(normalizeForMatch('Nguyễn Phú Trọng, (Hà Nội)!')).toBe(' nguyen phu trong ha noi ');
  });
});

describe('subscriptionFilterSchema', () => {
  it('refuses unknown fields, bad codes and a pair of one country', () => {
    expect(subscriptionFilterSchema.safeParse({ colour: 'red' }).success).toBe(false);
    expect(subscriptionFilterSchema.safeParse({ countries: ['Indonesia'] }).success).toBe(false);
    expect(subscriptionFilterSchema.safeParse({ pair: ['RUS', 'RUS'] }).success).toBe(false);
  });
});
