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

describe('publicationDay and isoWeek', () => {
  it('normalise timestamps and bucket by ISO week', () => {
    expect(publicationDay('2025-02-24T23:00:00+07:00')).toBe('2025-02-24');
    expect(publicationDay(null)).toBeNull();
    expect(isoWeek('2025-02-24')).toBe('2025-W09');
    expect(isoWeek('2021-01-03')).toBe('2020-W53');
    expect(isoWeek('2024-12-30')).toBe('2025-W01');
  });
});
