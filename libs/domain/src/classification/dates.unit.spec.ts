import { isoWeek, publicationDay, resolveDates } from './dates';

describe('resolveDates', () => {
  describe('when a range has no year', () => {
    it('takes the year from the publication date', () => {
      expect(resolveDates('is visiting from February 24-28 to discuss', '2025-02-24')).toMatchObject([
        { start: '2025-02-24', end: '2025-02-28' },
      ]);
    });
    it('reads "February 24 to February 28"', () => {
      expect(
        resolveDates('from February 24 to February 28, focusing', '2025-02-24T10:00:00Z')[0],
      ).toMatchObject({
        start: '2025-02-24',
        end: '2025-02-28',
      });
    });
    it('reads ranges that cross months ("Aug. 31 to Sept. 1")', () => {
      expect(resolveDates('the summit in Tianjin from Aug. 31 to Sept. 1.', '2025-06-19')[0]).toMatchObject({
        start: '2025-08-31',
        end: '2025-09-01',
      });
    });
    it('picks the nearest year around New Year', () => {
      expect(resolveDates('talks on December 30', '2025-01-03')[0]?.start).toBe('2024-12-30');
    });
  });

  describe('when the day comes first', () => {
    it('reads "24-28 February 2025"', () => {
      expect(resolveDates('between 24-28 February 2025', null)[0]).toMatchObject({
        start: '2025-02-24',
        end: '2025-02-28',
      });
    });
  });

  describe('when only a weekday is given', () => {
    it('looks back for past tense and forward for future tense', () => {
      // 2024-06-20 is a Thursday.
      expect(resolveDates('The leader held talks on Tuesday.', '2024-06-20')[0]?.start).toBe('2024-06-18');
      expect(resolveDates('The leader will hold talks on Saturday.', '2024-06-20')[0]?.start).toBe(
        '2024-06-22',
      );
    });
    it('cannot resolve without a publication date', () => {
      expect(resolveDates('talks on Tuesday', null)).toEqual([]);
    });
  });

  describe('when a full date is given', () => {
    it('keeps its year', () => {
      expect(resolveDates('on September 7, 2022.', '2023-07-16')[0]?.start).toBe('2022-09-07');
    });
    it('rejects impossible dates', () => {
      expect(resolveDates('on February 30', '2025-02-01')).toEqual([]);
    });
  });
});

describe('resolveDates for coarser dates (the background of an act)', () => {
  describe('when only a month is given', () => {
    it('spans the month nearest the publication date, or the last one before it after "last"', () => {
      expect(resolveDates('They met in September at a forum.', '2025-02-24')).toEqual([
        { start: '2024-09-01', end: '2024-09-30', text: 'in September', index: 9, precision: 'month' },
      ]);
      expect(resolveDates('She went there last March.', '2025-02-24')[0]).toMatchObject({
        start: '2024-03-01',
        end: '2024-03-31',
        precision: 'month',
      });
      expect(resolveDates('signed in early May 2019', null)[0]).toMatchObject({ start: '2019-05-01' });
    });
    it('reads "May" as a verb when no time word comes before it, and a day as a day', () => {
      expect(resolveDates('Russia May sign the deal soon.', '2025-02-24')).toEqual([]);
      expect(resolveDates('in September 5 talks', '2025-02-24')[0]).toMatchObject({ precision: 'day' });
    });
  });

  describe('when only a year, or a span relative to publication, is given', () => {
    it('spans the year, the month or the ISO week before publication', () => {
      expect(resolveDates('The two navies first drilled in 2021.', '2025-02-24')[0]).toMatchObject({
        start: '2021-01-01',
        end: '2021-12-31',
        precision: 'year',
      });
      expect(resolveDates('He visited Hanoi last year.', '2025-02-24')[0]).toMatchObject({
        start: '2024-01-01',
        end: '2024-12-31',
      });
      expect(resolveDates('talks held last month', '2025-01-10')[0]).toMatchObject({
        start: '2024-12-01',
        end: '2024-12-31',
      });
      // 2025-02-24 is a Monday: last week ran from the 17th to the 23rd.
      expect(resolveDates('met last week', '2025-02-24')[0]).toMatchObject({
        start: '2025-02-17',
        end: '2025-02-23',
        precision: 'week',
      });
    });
  });
});

describe('publicationDay and isoWeek', () => {
  it('normalise timestamps and bucket by ISO week', () => {
    expect(publicationDay('2025-02-24T23:00:00+07:00')).toBe('2025-02-24');
    expect(publicationDay(null)).toBeNull();
    expect(isoWeek('2025-02-24')).toBe('2025-W09');
    expect(isoWeek('2021-01-03')).toBe('2020-W53');
    expect(isoWeek('2024-12-30')).toBe('2025-W01');
  });
});
