import { describeVersionChanges } from './event-history';

describe('describeVersionChanges', () => {
  describe('given the first version', () => {
    it('lists every field as changed from null', () => {
      expect(describeVersionChanges(null, { type: 'visit', countries: ['IDN', 'RUS'] })).toEqual([
        { field: 'countries', from: null, to: ['IDN', 'RUS'] },
        { field: 'type', from: null, to: 'visit' },
      ]);
    });
  });

  describe('when a second outlet adds a country and raises the confidence', () => {
    it('lists those two fields only, ignoring the stream sequence and key order', () => {
      const before = {
        type: 'visit',
        countries: ['IDN', 'RUS'],
        confidence: 0.7,
        lastSequence: 3,
        actors: [{ name: 'A', role: null }],
      };
      const after = {
        type: 'visit',
        countries: ['IDN', 'MYS', 'RUS'],
        confidence: 0.9,
        lastSequence: 9,
        actors: [{ role: null, name: 'A' }],
      };
      expect(describeVersionChanges(before, after)).toEqual([
        { field: 'confidence', from: 0.7, to: 0.9 },
        { field: 'countries', from: ['IDN', 'RUS'], to: ['IDN', 'MYS', 'RUS'] },
      ]);
    });
  });
});
