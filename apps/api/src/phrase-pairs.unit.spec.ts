import { requiredPairs } from './phrase-pairs';

describe('requiredPairs', () => {
  it.each([
    [`'joint' <-> 'exercis'`, ['joint exercis']],
    [`'joint' <-> 'naval' <-> 'exercis' & 'russia'`, ['joint naval', 'naval exercis']],
    [`'russia' & 'indonesia'`, []],
    [`'shoigu'`, []],
    [`'visit' <-> 'visit'`, ['visit visit']],
  ])('%s requires %j', (tsquery, pairs) => {
    expect(requiredPairs(tsquery)).toEqual(pairs);
  });

  it.each([
    `'joint' <-> 'exercis' | 'drill'`,
    `'joint' <-> 'exercis' & !'russia'`,
    `'minist' <2> 'defenc'`,
    `( 'a' | 'b' ) & 'c' <-> 'd'`,
    `'o''neil' <-> 'visit'`,
    `'a\\\\b' <-> 'c'`,
    ``,
  ])('requires nothing of %s', (tsquery) => {
    expect(requiredPairs(tsquery)).toEqual([]);
  });
});
