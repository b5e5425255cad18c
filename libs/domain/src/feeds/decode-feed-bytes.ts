import { isAscii, isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

export type DecodedFeed = {
  text: string;
  /** The encoding actually used, as an iconv-lite name (e.g. 'utf-8', 'windows-1252', 'koi8-r'). */
  encoding: string;
  /** How the encoding was chosen. */
  source: 'bom' | 'http' | 'declaration' | 'pattern' | 'default' | 'detected';
  warnings: string[];
  /**
   * True when decoding had to guess or lose something: non-UTF-8 bytes with nothing usable
   * declared, bytes invalid in the declared charset, an unknown label, or a BOM contradicting the
   * declaration. Valid UTF-8 under a wrong legacy label is decoded losslessly and only warned about.
   */
  defective: boolean;
};

type Bom = { encoding: string; length: number };

/**
 * Turns feed bytes into a string. Decoding is done here, not by the XML parser, because real
 * feeds lie about their encoding in every possible way (see the corpus README):
 *
 * 1. A byte order mark wins over everything (as in browsers and the XML spec, appendix F).
 * 2. No BOM: UTF-16/32 are recognised from the zero-byte pattern of the first characters.
 * 3. Otherwise the HTTP charset, then the XML declaration (RFC 7303 puts the header first).
 *    A declared single- or multi-byte legacy charset is overruled when the bytes are valid,
 *    non-ASCII UTF-8: that never happens by chance in real Latin/Cyrillic/CJK text, while
 *    "UTF-8 bytes under an ISO-8859-1 prolog" is a common CMS bug.
 * 4. Nothing usable declared and not UTF-8: the bytes are sniffed (GB2312, Big5, KOI8-R,
 *    windows-1251, windows-1252), and the result is flagged as defective.
 *
 * Labels follow the WHATWG mapping where it matters: ISO-8859-1 and US-ASCII decode as
 * windows-1252, GB2312/GBK as GB18030.
 */
export function decodeFeedBytes(
  body: Buffer,
  opts: { contentType?: string | null; json?: boolean } = {},
): DecodedFeed {
  const warnings: string[] = [];
  const httpLabel = charsetFromContentType(opts.contentType);
  const httpEncoding = httpLabel ? normaliseLabel(httpLabel) : null;
  if (httpLabel && !httpEncoding) warnings.push(`unknown charset "${httpLabel}" in Content-Type ignored`);

  const bom = detectBom(body);
  if (bom) {
    const text = decodeWith(body.subarray(bom.length), bom.encoding);
    const declared = declaredEncoding(text);
    let defective = false;
    if (declared) {
      const normalised = normaliseLabel(declared);
      if (!normalised || !sameFamily(normalised, bom.encoding)) {
        warnings.push(
          `byte order mark says ${bom.encoding} but the XML declaration says "${declared}": the BOM wins`,
        );
        defective = true;
      }
    }
    if (httpEncoding && !sameFamily(httpEncoding, bom.encoding)) {
      warnings.push(
        `Content-Type charset "${httpLabel}" contradicts the ${bom.encoding} byte order mark: the BOM wins`,
      );
    }
    return { text, encoding: bom.encoding, source: 'bom', warnings, defective };
  }

  const pattern = detectWidePattern(body);
  if (pattern) {
    const text = decodeWith(body, pattern);
    const declared = declaredEncoding(text);
    const normalised = declared ? normaliseLabel(declared) : null;
    const defective = declared !== null && (!normalised || !sameFamily(normalised, pattern));
    if (defective) warnings.push(`bytes are ${pattern} but the XML declaration says "${declared}"`);
    return { text, encoding: pattern, source: 'pattern', warnings, defective };
  }

  // ASCII-compatible from here on. JSON (RFC 8259) is UTF-8 only: no declaration to read.
  const declaredLabel = opts.json ? null : declaredEncoding(body.subarray(0, 2048).toString('latin1'));
  let declaredNorm = declaredLabel ? normaliseLabel(declaredLabel) : null;
  let defective = false;
  if (declaredLabel && !declaredNorm) {
    warnings.push(`unknown encoding "${declaredLabel}" in the XML declaration ignored`);
    defective = true;
  }
  if (declaredNorm && isWide(declaredNorm)) {
    // .NET and others write encoding="utf-16" over UTF-8 bytes; the bytes have no zero pattern.
    warnings.push(`XML declaration says "${declaredLabel}" but the bytes are not UTF-16/32`);
    declaredNorm = null;
    defective = true;
  }

  const utf8 = isUtf8(body);
  const hasHigh = !isAscii(body);
  const chosen = httpEncoding && !isWide(httpEncoding) ? httpEncoding : declaredNorm;
  const chosenSource = httpEncoding && !isWide(httpEncoding) ? 'http' : 'declaration';
  const asciiDeclared =
    declaredLabel !== null && /^(us-?)?ascii$/i.test(declaredLabel.trim()) && chosenSource === 'declaration';

  if (!hasHigh) {
    // Pure ASCII decodes the same under every ASCII-compatible charset.
    return {
      text: body.toString('latin1'),
      encoding: chosen ?? 'utf-8',
      source: chosen ? chosenSource : 'default',
      warnings,
      defective,
    };
  }

  if (chosen && chosen !== 'utf-8') {
    if (utf8) {
      // A mislabel, but recovering from it loses nothing: reported, not counted as a defect.
      warnings.push(`declared ${chosen} but the bytes are valid UTF-8: decoded as UTF-8`);
      return { text: body.toString('utf8'), encoding: 'utf-8', source: 'detected', warnings, defective };
    }
    if (asciiDeclared) {
      warnings.push('declared US-ASCII but contains non-ASCII bytes: decoded as windows-1252');
      return {
        text: decodeWith(body, 'windows-1252'),
        encoding: 'windows-1252',
        source: 'detected',
        warnings,
        defective: true,
      };
    }
    const text = decodeWith(body, chosen);
    if (text.includes('\uFFFD') && !body.includes(REPLACEMENT_UTF8)) {
      warnings.push(`bytes invalid in the declared ${chosen}: replaced`);
      defective = true;
    }
    return { text, encoding: chosen, source: chosenSource, warnings, defective };
  }

  if (utf8) {
    return {
      text: body.toString('utf8'),
      encoding: 'utf-8',
      source: chosen ? chosenSource : 'default',
      warnings,
      defective,
    };
  }

  // Not UTF-8, and either nothing or UTF-8 was declared.
  if (chosen === 'utf-8' && declaredNorm && declaredNorm !== 'utf-8' && chosenSource === 'http') {
    // The server's default charset is wrong more often than the document's own declaration.
    warnings.push(
      `Content-Type says UTF-8 but the bytes are not; using the XML declaration (${declaredNorm})`,
    );
    return {
      text: decodeWith(body, declaredNorm),
      encoding: declaredNorm,
      source: 'declaration',
      warnings,
      defective,
    };
  }
  const stats = utf8Stats(body);
  if (stats.validMultibyte > 0 && stats.validMultibyte >= stats.invalidBytes) {
    // Mostly UTF-8 with stray legacy bytes (text pasted from another source, a truncated
    // character): keep the UTF-8, read each stray byte as windows-1252.
    warnings.push(`${stats.invalidBytes} bytes are not valid UTF-8: read as windows-1252, the rest as UTF-8`);
    return { text: decodeMixedUtf8(body), encoding: 'utf-8', source: 'detected', warnings, defective: true };
  }
  const sniffed = sniffLegacyEncoding(body);
  warnings.push(
    chosen
      ? `declared UTF-8 but the bytes are not valid UTF-8: decoded as ${sniffed}`
      : `no encoding declared and the bytes are not UTF-8: detected ${sniffed}`,
  );
  return {
    text: decodeWith(body, sniffed),
    encoding: sniffed,
    source: 'detected',
    warnings,
    defective: true,
  };
}

const REPLACEMENT_UTF8 = Buffer.from([0xef, 0xbf, 0xbd]);

export function charsetFromContentType(contentType: string | null | undefined): string | null {
  if (!contentType) return null;
  const match = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType);
  const label = (match?.[1] ?? match?.[2] ?? '').trim();
  return label || null;
}

/** The encoding pseudo-attribute of an XML declaration, allowing whitespace and comments before it. */
function declaredEncoding(head: string): string | null {
  // Skipped by hand rather than with a regex: "(comment whitespace)*" as a regex backtracks
  // exponentially over a run of comments.
  const text = head.slice(0, 2048);
  let i = 0;
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (!text.startsWith('<!--', i)) break;
    const end = text.indexOf('-->', i + 4);
    if (end === -1) return null;
    i = end + 3;
  }
  const match = /^<\?xml\s[^>]{0,512}?\bencoding\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(text.slice(i));
  const label = (match?.[1] ?? match?.[2] ?? '').trim();
  return label || null;
}

const LABEL_ALIASES: Record<string, string> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'unicode-1-1-utf-8': 'utf-8',
  // WHATWG: these labels all mean windows-1252, and real "ISO-8859-1" feeds use 0x80-0x9F as cp1252.
  'iso-8859-1': 'windows-1252',
  'iso8859-1': 'windows-1252',
  iso_8859_1: 'windows-1252',
  'iso_8859-1': 'windows-1252',
  latin1: 'windows-1252',
  'latin-1': 'windows-1252',
  l1: 'windows-1252',
  'us-ascii': 'windows-1252',
  ascii: 'windows-1252',
  'ansi_x3.4-1968': 'windows-1252',
  cp1252: 'windows-1252',
  'windows-1252': 'windows-1252',
  'x-cp1252': 'windows-1252',
  // GB18030 is a superset of GBK, which is a superset of GB2312.
  gb2312: 'gb18030',
  gbk: 'gb18030',
  'x-gbk': 'gb18030',
  cp936: 'gb18030',
  gb18030: 'gb18030',
  'euc-cn': 'gb18030',
  big5: 'big5hkscs',
  'big5-hkscs': 'big5hkscs',
  'x-x-big5': 'big5hkscs',
  'cn-big5': 'big5hkscs',
  'ks_c_5601-1987': 'euc-kr',
  'utf-16': 'utf-16le',
  utf16: 'utf-16le',
  'utf-16le': 'utf-16le',
  'utf-16be': 'utf-16be',
  'utf-32': 'utf-32le',
  'utf-32le': 'utf-32le',
  'utf-32be': 'utf-32be',
};

/** Normalises a charset label to an iconv-lite encoding name, or null if unknown. */
export function normaliseLabel(label: string): string | null {
  const key = label.trim().toLowerCase();
  if (!key) return null;
  const alias = LABEL_ALIASES[key];
  if (alias) return alias;
  return iconv.encodingExists(key) ? key : null;
}

function isWide(encoding: string): boolean {
  return /^utf-(16|32)/.test(encoding);
}

function sameFamily(a: string, b: string): boolean {
  if (a === b) return true;
  // "utf-16" (no byte order) is satisfied by either UTF-16 BOM; same for UTF-32.
  return (isWide(a) && isWide(b) && a.slice(0, 6) === b.slice(0, 6)) || false;
}

function detectBom(body: Buffer): Bom | null {
  const [b0, b1, b2, b3] = [body[0], body[1], body[2], body[3]];
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (b0 === 0xff && b1 === 0xfe && b2 === 0x00 && b3 === 0x00) return { encoding: 'utf-32le', length: 4 };
  if (b0 === 0x00 && b1 === 0x00 && b2 === 0xfe && b3 === 0xff) return { encoding: 'utf-32be', length: 4 };
  if (b0 === 0xff && b1 === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (b0 === 0xfe && b1 === 0xff) return { encoding: 'utf-16be', length: 2 };
  return null;
}

/**
 * UTF-16/32 without a BOM: the first characters of a feed are ASCII ('<', '{', whitespace), so
 * their zero bytes give the width and byte order away (XML spec appendix F, generalised to
 * leading whitespace by looking at a few characters rather than exactly four bytes).
 */
function detectWidePattern(body: Buffer): string | null {
  const n = Math.min(body.length, 64) & ~3;
  if (n < 4) return null;
  const zeroAt = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) if (body[i] === 0) zeroAt[i % 4]!++;
  const quads = n / 4;
  const all = (k: number) => zeroAt[k]! >= quads * 0.9;
  const none = (k: number) => zeroAt[k]! <= quads * 0.1;
  if (all(0) && all(1) && all(2) && none(3)) return 'utf-32be';
  if (none(0) && all(1) && all(2) && all(3)) return 'utf-32le';
  if (all(0) && all(2) && none(1) && none(3)) return 'utf-16be';
  if (none(0) && none(2) && all(1) && all(3)) return 'utf-16le';
  return null;
}

function decodeWith(bytes: Buffer, encoding: string): string {
  if (encoding === 'utf-8') return bytes.toString('utf8');
  if (encoding === 'utf-16le') return bytes.toString('utf16le');
  return iconv.decode(bytes, encoding, { stripBOM: true });
}

/**
 * Sniffs the legacy encoding of bytes that are not UTF-8. Not a general detector: it separates
 * the cases feeds actually hit. Double-byte Chinese first (every high byte pairs up in the
 * strict GB2312 or Big5 ranges, which Latin or Cyrillic text never does over a whole document),
 * then single-byte text: accented Latin letters stand alone between ASCII letters, Cyrillic
 * letters come in runs. KOI8-R and windows-1251 put lower- and upper-case in swapped halves, and
 * running text is mostly lower case, which tells them apart.
 */
export function sniffLegacyEncoding(body: Buffer): string {
  const euc = pairedHighBytes(
    body,
    (lead) => lead >= 0xa1 && lead <= 0xf7,
    (trail) => trail >= 0xa1 && trail <= 0xfe,
  );
  if (euc) return 'gb18030';
  const big5 = pairedHighBytes(
    body,
    (lead) => lead >= 0x81 && lead <= 0xfe,
    (trail) => (trail >= 0x40 && trail <= 0x7e) || (trail >= 0xa1 && trail <= 0xfe),
  );
  if (big5) return 'big5hkscs';

  let high = 0;
  let inRuns = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i]! < 0x80) continue;
    high++;
    if ((i > 0 && body[i - 1]! >= 0x80) || (i + 1 < body.length && body[i + 1]! >= 0x80)) inRuns++;
  }
  if (high >= 4 && inRuns / high > 0.6) {
    const score = (encoding: string) => {
      const text = iconv.decode(body, encoding);
      let lower = 0;
      let upper = 0;
      for (const ch of text) {
        if (ch >= '\u0430' && ch <= '\u044f') lower++;
        else if (ch >= '\u0410' && ch <= '\u042f') upper++;
      }
      return lower - upper;
    };
    return score('koi8-r') > score('windows-1251') ? 'koi8-r' : 'windows-1251';
  }
  return 'windows-1252';
}

/** True when every byte >= 0x80 is the lead of a valid pair, and there are at least two pairs. */
function pairedHighBytes(
  body: Buffer,
  isLead: (b: number) => boolean,
  isTrail: (b: number) => boolean,
): boolean {
  let pairs = 0;
  for (let i = 0; i < body.length; i++) {
    const b = body[i]!;
    if (b < 0x80) continue;
    const next = body[i + 1];
    if (!isLead(b) || next === undefined || !isTrail(next)) return false;
    pairs++;
    i++;
  }
  return pairs >= 2;
}

/** Length of the valid UTF-8 sequence starting at i (1 for ASCII), or 0 if the byte there starts none. */
function utf8SequenceLength(body: Buffer, i: number): number {
  const b = body[i]!;
  if (b < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => {
    const c = body[i + k];
    return c !== undefined && c >= lo && c <= hi;
  };
  if (b >= 0xc2 && b <= 0xdf) return cont(1) ? 2 : 0;
  if (b === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((b >= 0xe1 && b <= 0xec) || b === 0xee || b === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (b === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b >= 0xf1 && b <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

function utf8Stats(body: Buffer): { validMultibyte: number; invalidBytes: number } {
  let validMultibyte = 0;
  let invalidBytes = 0;
  for (let i = 0; i < body.length;) {
    if (body[i]! < 0x80) {
      i++;
      continue;
    }
    const len = utf8SequenceLength(body, i);
    if (len === 0) {
      invalidBytes++;
      i++;
    } else {
      validMultibyte++;
      i += len;
    }
  }
  return { validMultibyte, invalidBytes };
}

/** UTF-8 where the bytes form valid sequences, windows-1252 for each byte that does not. */
function decodeMixedUtf8(body: Buffer): string {
  const parts: string[] = [];
  let runStart = 0;
  for (let i = 0; i < body.length;) {
    const len = body[i]! < 0x80 ? 1 : utf8SequenceLength(body, i);
    if (len > 0) {
      i += len;
      continue;
    }
    parts.push(body.toString('utf8', runStart, i), iconv.decode(body.subarray(i, i + 1), 'windows-1252'));
    i++;
    runStart = i;
  }
  parts.push(body.toString('utf8', runStart));
  return parts.join('');
}
