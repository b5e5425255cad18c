import iconv from 'iconv-lite';
import { decodeFeedBytes } from './decode-feed-bytes';

const RUSSIAN = 'Министр обороны России посетил Индонезию и Малайзию, где обсудил военное сотрудничество.';
const FRENCH = 'La criminalité liée surtout à l’ennui ? Les élèves français répondent.';
const CHINESE = '俄罗斯国防部长访问印度尼西亚和马来西亚';

function rss(title: string, declaration = ''): string {
  return `${declaration}<rss version="2.0"><channel><title>${title}</title></channel></rss>`;
}

function utf32(text: string, littleEndian: boolean, bom: boolean): Buffer {
  const codePoints = [...((bom ? '\uFEFF' : '') + text)].map((c) => c.codePointAt(0)!);
  const buf = Buffer.alloc(codePoints.length * 4);
  codePoints.forEach((cp, i) => (littleEndian ? buf.writeUInt32LE(cp, i * 4) : buf.writeUInt32BE(cp, i * 4)));
  return buf;
}

describe('decodeFeedBytes', () => {
  describe('when a byte order mark is present', () => {
    it.each([
      ['utf-8', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(rss(RUSSIAN))])],
      ['utf-16le', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(rss(RUSSIAN), 'utf16le')])],
      ['utf-16be', iconv.encode(rss(RUSSIAN), 'utf-16be', { addBOM: true })],
      ['utf-32le', utf32(rss(RUSSIAN), true, true)],
      ['utf-32be', utf32(rss(RUSSIAN), false, true)],
    ])('decodes %s and drops the BOM', (encoding, bytes) => {
      const decoded = decodeFeedBytes(bytes);
      expect(decoded).toMatchObject({ encoding, source: 'bom', defective: false });
      expect(decoded.text).toBe(rss(RUSSIAN));
    });

    it('lets the BOM win over a contradicting declaration, and flags it', () => {
      const bytes = Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from(rss('ok', '<?xml version="1.0" encoding="us-ascii"?>')),
      ]);
      const decoded = decodeFeedBytes(bytes);
      expect(decoded).toMatchObject({ encoding: 'utf-8', defective: true });
      expect(decoded.warnings.join()).toMatch(/BOM wins/);
    });
  });

  describe('when UTF-16/32 comes without a BOM', () => {
    it.each([
      ['utf-16le', Buffer.from(rss(RUSSIAN), 'utf16le')],
      ['utf-16be', iconv.encode(rss(RUSSIAN, '<?xml version="1.0" encoding="utf-16"?>'), 'utf-16be')],
      ['utf-32le', utf32(rss(RUSSIAN), true, false)],
      ['utf-32be', utf32(`  \n${rss(RUSSIAN)}`, false, false)],
    ])('recognises %s from the zero-byte pattern', (encoding, bytes) => {
      const decoded = decodeFeedBytes(bytes);
      expect(decoded).toMatchObject({ encoding, source: 'pattern', defective: false });
      expect(decoded.text).toContain(RUSSIAN);
    });
  });

  describe('when the XML declaration names the encoding', () => {
    it.each([
      ['windows-1251', RUSSIAN],
      ['koi8-r', RUSSIAN],
      ['big5', '俄羅斯國防部長訪問印尼'],
      ['gb2312', CHINESE],
      ['iso-8859-7', 'Υπουργός Άμυνας'],
    ])('decodes %s', (label, text) => {
      const decoded = decodeFeedBytes(
        iconv.encode(rss(text, `<?xml version="1.0" encoding="${label}"?>`), label),
      );
      expect(decoded.text).toContain(text);
      expect(decoded.defective).toBe(false);
    });

    it('reads ISO-8859-1 as windows-1252, as browsers do (smart quotes in 0x80-0x9F)', () => {
      const bytes = Buffer.concat([
        Buffer.from('<?xml version="1.0" encoding="iso-8859-1"?><rss><t>'),
        Buffer.from([0x93, 0x41, 0x94, 0xe9]),
        Buffer.from('</t></rss>'),
      ]);
      expect(decodeFeedBytes(bytes).text).toContain('“A”é');
    });

    it('prefers valid UTF-8 over a wrong legacy declaration, with a warning', () => {
      const decoded = decodeFeedBytes(
        Buffer.from(rss('Café 테스트', '<?xml version="1.0" encoding="ISO-8859-1"?>')),
      );
      expect(decoded.text).toContain('Café 테스트');
      expect(decoded.encoding).toBe('utf-8');
      expect(decoded.warnings.join()).toMatch(/valid UTF-8/);
    });

    it('falls back to UTF-8 on an unknown label and flags it', () => {
      const decoded = decodeFeedBytes(Buffer.from(rss('Café', '<?xml version="1.0" encoding="invalid"?>')));
      expect(decoded).toMatchObject({ encoding: 'utf-8', defective: true });
      expect(decoded.text).toContain('Café');
    });

    it('flags non-ASCII bytes under a US-ASCII declaration and reads them as windows-1252', () => {
      const bytes = Buffer.concat([
        Buffer.from('<?xml version="1.0" encoding="us-ascii"?><rss><t>'),
        Buffer.from([0xa3]),
        Buffer.from('</t></rss>'),
      ]);
      const decoded = decodeFeedBytes(bytes);
      expect(decoded).toMatchObject({ encoding: 'windows-1252', defective: true });
      expect(decoded.text).toContain('£');
    });

    it('ignores encoding="utf-16" over bytes that are not UTF-16', () => {
      const decoded = decodeFeedBytes(Buffer.from(rss('Café', '<?xml version="1.0" encoding="utf-16"?>')));
      expect(decoded).toMatchObject({ encoding: 'utf-8', defective: true });
    });
  });

  describe('when the HTTP Content-Type has a charset', () => {
    it('uses it when the document declares nothing', () => {
      const decoded = decodeFeedBytes(iconv.encode(rss(FRENCH), 'latin1'), {
        contentType: 'application/rss+xml; charset=ISO-8859-1',
      });
      expect(decoded).toMatchObject({ source: 'http', defective: false });
      expect(decoded.text).toContain('criminalité');
    });

    it('prefers the document declaration when the header claims UTF-8 and the bytes are not', () => {
      const decoded = decodeFeedBytes(
        iconv.encode(rss(RUSSIAN, '<?xml version="1.0" encoding="windows-1251"?>'), 'windows-1251'),
        {
          contentType: 'text/xml; charset=utf-8',
        },
      );
      expect(decoded.text).toContain(RUSSIAN);
    });
  });

  describe('when UTF-8 carries a few stray legacy bytes', () => {
    it('keeps the UTF-8 and reads the stray bytes as windows-1252', () => {
      const bytes = Buffer.concat([
        Buffer.from(`<rss><title>${RUSSIAN} — `),
        Buffer.from([0x93, 0x41, 0x94]),
        Buffer.from('</title></rss>'),
      ]);
      const decoded = decodeFeedBytes(bytes);
      expect(decoded).toMatchObject({ encoding: 'utf-8', defective: true });
      expect(decoded.text).toContain(`${RUSSIAN} — “A”`);
    });
  });

  describe('when nothing is declared and the bytes are not UTF-8', () => {
    it.each([
      ['koi8-r', RUSSIAN, 'koi8-r'],
      ['windows-1251', RUSSIAN, 'windows-1251'],
      ['gb2312', CHINESE, 'gb18030'],
      ['latin1', FRENCH.replace('’', "'"), 'windows-1252'],
    ])('detects %s and flags the document as defective', (encoding, text, expected) => {
      const decoded = decodeFeedBytes(iconv.encode(rss(text), encoding));
      expect(decoded).toMatchObject({ encoding: expected, source: 'detected', defective: true });
      expect(decoded.text).toContain(text);
    });
  });
});
