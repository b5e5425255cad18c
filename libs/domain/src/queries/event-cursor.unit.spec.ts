import { decodeEventCursor, encodeEventCursor } from './event-cursor';

describe('event cursors', () => {
  it('round-trip a date cursor and a confidence cursor exactly', () => {
    const byDate = { sort: 'date', order: 'desc', key: '2025-02-24', id: 'de:1' } as const;
    const byConfidence = { sort: 'confidence', order: 'asc', key: 0.1 + 0.2, id: 'de:2' } as const;
    expect(decodeEventCursor(encodeEventCursor(byDate), byDate)).toEqual({ ok: true, value: byDate });
    expect(decodeEventCursor(encodeEventCursor(byConfidence), byConfidence)).toEqual({
      ok: true,
      value: byConfidence,
    });
  });

  it.each(['garbage', '', Buffer.from('[1,"date","desc",5,"x"]').toString('base64url'), 'W10'])(
    'refuse %p as not issued by the API',
    (value) => {
      expect(decodeEventCursor(value, { sort: 'date', order: 'desc' })).toEqual({
        ok: false,
        message: 'parameter "cursor" is not a cursor this API issued',
      });
    },
  );

  it('refuse a cursor from a page with another sort', () => {
    const cursor = encodeEventCursor({ sort: 'date', order: 'desc', key: '2025-02-24', id: 'x' });
    expect(decodeEventCursor(cursor, { sort: 'confidence', order: 'desc' })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^parameter "cursor" belongs to sort=date&order=desc/),
    });
  });
});
