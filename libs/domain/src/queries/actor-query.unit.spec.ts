import { actorTsQuery } from './actor-query';

describe('actorTsQuery', () => {
  it('matches the words in order, case-insensitively, the last as a prefix', () => {
    expect(actorTsQuery('Sergei Shoigu')).toBe('sergei <-> shoigu:*');
    expect(actorTsQuery('shoi')).toBe('shoi:*');
  });

  it('keeps only letters and digits, so query syntax typed by a caller is inert', () => {
    expect(actorTsQuery("Lavrov' | !x & (y")).toBe('lavrov <-> x <-> y:*');
    expect(actorTsQuery('Nguyễn Phú Trọng')).toBe('nguyễn <-> phú <-> trọng:*');
    expect(actorTsQuery('&&')).toBeNull();
  });
});
