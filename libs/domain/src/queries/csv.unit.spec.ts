import { csvCell, csvRow } from './csv';

describe('csvCell', () => {
  describe('given plain values', () => {
    it('writes them as they are, and null as an empty cell', () => {
      expect([csvCell('visit'), csvCell(0.85), csvCell(-0.5), csvCell(null), csvCell(true)]).toEqual([
        'visit',
        '0.85',
        '-0.5',
        '',
        'true',
      ]);
    });
  });

  describe('given text with commas, quotes or line breaks (RFC 4180)', () => {
    it('quotes the field and doubles its quotes', () => {
      expect(csvCell('Jakarta, Indonesia')).toBe('"Jakarta, Indonesia"');
      expect(csvCell('the "strategic" partner')).toBe('"the ""strategic"" partner"');
      expect(csvCell('line one\r\nline two')).toBe('"line one\r\nline two"');
    });
  });

  describe('given text a spreadsheet would run as a formula', () => {
    it.each(['=HYPERLINK("http://evil.example","x")', '+1+1', '-2+3', '@SUM(A1)', '\tcmd', '\rcmd'])(
      'makes %p plain text with a leading apostrophe',
      (value) => {
        const cell = csvCell(value);
        const unquoted = cell.startsWith('"') ? cell.slice(1, -1).replaceAll('""', '"') : cell;
        expect(unquoted).toBe(`'${value}`);
      },
    );
  });
});

describe('csvRow', () => {
  it('joins the cells with commas and ends the record with CRLF', () => {
    expect(csvRow(['a', 'b,c', 1, null])).toBe('a,"b,c",1,\r\n');
  });
});
