import { decodeHtmlEntities as decodeHTML } from './html-entities';

/*
 * HTML -> clean text for the classifier. A small tokenizer, not regexes over the whole string:
 * feed HTML is built to defeat regexes (comments hiding <script>, '>' inside attributes,
 * unterminated tags; see feedparser's "Can Your Regex Parse This?" fixture). Script, style and
 * similar element contents never reach the text. This is NOT an HTML sanitiser for rendering:
 * rawContent keeps the publisher's markup as-is and must be sanitised before it is displayed.
 */

/** Elements whose content is never text a reader sees. */
const SKIPPED = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'iframe',
  'object',
  'svg',
  'math',
  'head',
  'select',
  'button',
]);
/** Elements whose content is raw text in HTML: tags inside are not tags. */
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'xmp', 'iframe', 'noembed', 'noframes', 'title']);
const PARAGRAPH = new Set([
  'p',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'blockquote',
  'pre',
  'table',
  'ul',
  'ol',
  'dl',
  'figure',
  'section',
  'article',
  'header',
  'footer',
  'aside',
  'nav',
  'hr',
  'address',
  'main',
  'details',
  'body',
  'html',
]);
const LINE = new Set([
  'div',
  'li',
  'tr',
  'dt',
  'dd',
  'figcaption',
  'caption',
  'summary',
  'center',
  'form',
  'fieldset',
]);
const CELL = new Set(['td', 'th']);

export function htmlToText(html: string): string {
  const out: string[] = [];
  const n = html.length;
  let pos = 0;
  let preDepth = 0;
  const unclosed = new Set<string>();
  // In HTML, line breaks in the source are spaces; only <pre> keeps them.
  const text = (raw: string) => decodeHTML(preDepth > 0 ? raw : raw.replace(/[\t\n\r\f ]+/g, ' '));
  while (pos < n) {
    const lt = html.indexOf('<', pos);
    if (lt === -1) {
      out.push(text(html.slice(pos)));
      break;
    }
    if (lt > pos) out.push(text(html.slice(pos, lt)));
    pos = lt;
    const next = html.charCodeAt(lt + 1);
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      pos = end === -1 ? n : end + 3;
      continue;
    }
    if (next === 33 /* ! */ || next === 63 /* ? */) {
      const end = html.indexOf('>', lt);
      pos = end === -1 ? n : end + 1;
      continue;
    }
    const closing = next === 47; /* / */
    const nameStart = closing ? lt + 2 : lt + 1;
    if (!isAsciiLetter(html.charCodeAt(nameStart))) {
      out.push('<');
      pos = lt + 1;
      continue;
    }
    let k = nameStart;
    while (k < n && !isTagNameEnd(html.charCodeAt(k))) k++;
    const name = html.slice(nameStart, k).toLowerCase();
    const end = findTagEnd(html, k);
    if (end === -1) break; // unterminated tag at the end: dropped, as browsers do
    pos = end + 1;
    if (name === 'pre' || name === 'listing') preDepth = Math.max(0, preDepth + (closing ? -1 : 1));
    if (closing) {
      out.push(separatorFor(name));
      continue;
    }
    if (SKIPPED.has(name) || RAW_TEXT.has(name)) {
      // A close tag not found from here is not found from any later position: remembering that
      // keeps many unclosed <title>s linear instead of one search to the end each.
      let match: RegExpExecArray | null = null;
      if (!unclosed.has(name)) {
        const close = new RegExp(`</${name}[\\s/>]`, 'ig');
        close.lastIndex = pos;
        match = close.exec(html);
        if (!match) unclosed.add(name);
      }
      if (match) {
        const closeEnd = findTagEnd(html, match.index + 2 + name.length);
        const inner = html.slice(pos, match.index);
        pos = closeEnd === -1 ? n : closeEnd + 1;
        if (!SKIPPED.has(name)) out.push(text(inner));
      } else if (name === 'script' || name === 'style') {
        pos = n; // an unclosed script swallows the rest, as in a browser
      }
      out.push(separatorFor(name));
      continue;
    }
    out.push(separatorFor(name));
  }
  // Literal U+2028/U+2029 in the source are line breaks too.
  return normaliseText(collapseBoundaries(out.join('')));
}

// Block boundaries collapse with each other (</li><li> is one line break, </p><p> one blank
// line); <br> is a hard break and does not collapse.
const LINE_BOUNDARY = '\u2028';
const PARAGRAPH_BOUNDARY = '\u2029';

function separatorFor(name: string): string {
  if (name === 'br') return '\n';
  if (PARAGRAPH.has(name)) return PARAGRAPH_BOUNDARY;
  if (LINE.has(name)) return LINE_BOUNDARY;
  if (CELL.has(name)) return '\t';
  return '';
}

/**
 * Replaces each whitespace run holding block boundaries by line breaks; runs without one stay
 * as they are. Linear: each boundary is found with indexOf-like search and its run expanded
 * once, never re-scanned.
 */
function collapseBoundaries(text: string): string {
  const boundaries = /[\u2028\u2029]/g;
  let match = boundaries.exec(text);
  // Most text holds no block boundary at all: nothing to collapse.
  if (match === null) return text;
  const out: string[] = [];
  const n = text.length;
  let last = 0;
  while (match !== null) {
    let start = match.index;
    let hardBreaks = 0;
    while (start > last && isCollapsible(text.charCodeAt(start - 1))) {
      start--;
      if (text.charCodeAt(start) === 10) hardBreaks++;
    }
    let paragraph = false;
    let end = match.index;
    for (; end < n; end++) {
      const c = text.charCodeAt(end);
      if (!isCollapsible(c)) break;
      if (c === 10) hardBreaks++;
      else if (c === 0x2029) paragraph = true;
    }
    out.push(text.slice(last, start), '\n'.repeat(Math.max(hardBreaks, paragraph ? 2 : 1)));
    last = end;
    boundaries.lastIndex = end;
    match = boundaries.exec(text);
  }
  out.push(text.slice(last));
  return out.join('');
}

/** Space, tab, newline and the two boundary marks (U+2028, U+2029). */
function isCollapsible(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 0x2028 || c === 0x2029;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

function isTagNameEnd(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 12 || c === 13 || c === 47 || c === 62;
}

/** Index of the '>' that ends a tag, skipping quoted attribute values. */
function findTagEnd(html: string, from: number): number {
  let quote = 0;
  let afterEquals = false;
  for (let i = from; i < html.length; i++) {
    const c = html.charCodeAt(i);
    if (quote) {
      if (c === quote) quote = 0;
      continue;
    }
    if (c === 62) return i;
    if ((c === 34 || c === 39) && afterEquals) {
      quote = c;
      afterEquals = false;
      continue;
    }
    if (c === 61) afterEquals = true;
    else if (!(c === 32 || c === 9 || c === 10 || c === 13 || c === 12)) afterEquals = false;
  }
  return -1;
}

/** Plain text (no markup) to clean text: mojibake and C1 repairs, whitespace normalised. */
export function plainToText(text: string): string {
  return normaliseText(text);
}

/** Collapses spaces inside lines, trims lines, keeps at most one blank line between paragraphs. */
function normaliseText(text: string): string {
  let out = repairC1(repairMojibake(text));
  // Each rewrite only where it changes something: a global replace copies the string even when
  // nothing matches, and this runs on every title and summary of every changed feed.
  if (out.includes('\r')) out = out.replace(/\r\n?/g, '\n');
  if (/[\t\f\v\u200B]| {2}/.test(out)) out = out.replace(/[ \t\f\v\u200B]+/g, ' ');
  if (/ \n|\n /.test(out)) out = out.replace(/ *\n */g, '\n');
  if (out.includes('\n\n\n')) out = out.replace(/\n{3,}/g, '\n\n');
  return out.trim();
}

/** One line of clean text (titles, names): HTML reduced if it looks like HTML, all whitespace collapsed. */
export function toSingleLine(value: string, isHtml: boolean): string {
  const text = isHtml ? htmlToText(value) : normaliseText(value);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** Heuristic for fields that may or may not hold escaped HTML (RSS titles, JSON strings). */
export function looksLikeHtml(value: string): boolean {
  return /<\/?[a-z][^<>]*>|&(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});/i.test(value);
}

// windows-1252's meaning of 0x80-0x9F; '' where cp1252 leaves the byte undefined.
const CP1252_C1 = '€\u0000‚ƒ„…†‡ˆ‰Š‹Œ\u0000Ž\u0000\u0000‘’“”•–—˜™š›œ\u0000žŸ';

/**
 * C1 control characters (U+0080-U+009F) never appear in real text: when they do, a windows-1252
 * byte was carried over as a code point (feedparser's "demoronize"). Map them to what cp1252 meant.
 */
export function repairC1(text: string): string {
  if (!/[\u0080-\u009f]/.test(text)) return text;
  return text.replace(/[\u0080-\u009f]/g, (ch) => {
    const mapped = CP1252_C1[ch.charCodeAt(0) - 0x80]!;
    return mapped === '\u0000' ? '' : mapped;
  });
}

const CP1252_REVERSE = new Map<string, number>();
for (let i = 0; i < 32; i++) {
  const ch = CP1252_C1[i]!;
  if (ch !== '\u0000') CP1252_REVERSE.set(ch, 0x80 + i);
}
const CONT = '[\\u0080-\\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]';
const MOJIBAKE = new RegExp(
  `[\\u00c2-\\u00df]${CONT}|[\\u00e0-\\u00ef]${CONT}{2}|[\\u00f0-\\u00f4]${CONT}{3}`,
  'g',
);

/**
 * UTF-8 that was decoded as Latin-1/windows-1252 and re-encoded ("â€™" for "’", "Ã©" for "é",
 * or "&#226;&#128;&#166;" for "…"). Only exact UTF-8 byte sequences are rewritten, so genuine
 * Latin-1 text is left alone.
 */
export function repairMojibake(text: string): string {
  if (!/[\u00c2-\u00f4]/.test(text)) return text;
  return text.replace(MOJIBAKE, (match) => {
    const bytes: number[] = [];
    for (const ch of match) bytes.push(CP1252_REVERSE.get(ch) ?? ch.charCodeAt(0));
    const decoded = Buffer.from(bytes).toString('utf8');
    return decoded.includes('\uFFFD') ? match : decoded;
  });
}

const URL_ATTRIBUTES =
  /(\s(?:href|src|poster|cite|background|longdesc|action)\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/gi;
const SRCSET_ATTRIBUTE = /(\ssrcset\s*=\s*)(?:"([^"]*)"|'([^']*)')/gi;

function resolveOne(value: string, base: string): string {
  const trimmed = value.trim();
  // Absolute (any scheme), empty, or a same-document fragment: left as written.
  if (trimmed === '' || trimmed.startsWith('#') || /^[a-z][a-z0-9+.-]*:/i.test(trimmed)) return value;
  try {
    return new URL(trimmed, base).href;
  } catch {
    return value;
  }
}

/**
 * Rewrites relative URLs in href/src/srcset/... attributes of an HTML fragment to absolute ones.
 * The fragment leaves its feed (and its xml:base) behind in the ArticleIngested event, so its
 * relative links would otherwise become unresolvable. Everything else is left byte for byte.
 */
export function resolveHtmlUrls(html: string, base: string): string {
  if (!/\s(?:href|src|srcset|poster|cite|background|longdesc|action)\s*=/i.test(html)) return html;
  const out: string[] = [];
  let copied = 0;
  let pos = 0;
  let nextGt = -1;
  // A hand-written scan (each '<' and '>' looked at once): a regex over many unterminated
  // "<a" would be quadratic.
  for (;;) {
    const lt = html.indexOf('<', pos);
    if (lt === -1) break;
    pos = lt + 1;
    if (!/[a-zA-Z]/.test(html[lt + 1] ?? '')) continue;
    if (nextGt < lt) nextGt = html.indexOf('>', lt);
    if (nextGt === -1) break;
    const nextLt = html.indexOf('<', lt + 1);
    if (nextLt !== -1 && nextLt < nextGt) continue; // not a complete tag
    out.push(html.slice(copied, lt), rewriteTag(html.slice(lt, nextGt + 1), base));
    copied = pos = nextGt + 1;
  }
  out.push(html.slice(copied));
  return out.join('');
}

function rewriteTag(tag: string, base: string): string {
  return tag
    .replace(URL_ATTRIBUTES, (_m, lead: string, dq?: string, sq?: string, bare?: string) => {
      if (dq !== undefined) return `${lead}"${resolveOne(dq, base)}"`;
      if (sq !== undefined) return `${lead}'${resolveOne(sq, base)}'`;
      return `${lead}${resolveOne(bare!, base)}`;
    })
    .replace(SRCSET_ATTRIBUTE, (_m, lead: string, dq?: string, sq?: string) => {
      const value = (dq ?? sq)!;
      const resolved = value
        .split(',')
        .map((candidate) =>
          candidate.replace(/^(\s*)(\S+)/, (_c, space: string, url: string) => space + resolveOne(url, base)),
        )
        .join(',');
      return dq !== undefined ? `${lead}"${resolved}"` : `${lead}'${resolved}'`;
    });
}
