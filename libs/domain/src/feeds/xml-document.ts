import { lookupEntity } from './html-entities';
import { FeedParseError } from './feed-parse-error';

/*
 * A small, forgiving, namespace-aware XML parser written for feeds.
 *
 * Why not rss-parser (xml2js over sax) or another library: the ingester needs things none of
 * them give together (see DESIGN.md and the corpus README):
 *  - recovery with a record of what was wrong (bare '&', undefined HTML entities, unclosed or
 *    mismatched tags, truncation, unbound prefixes), so a broken feed still yields its items
 *    and is reported as salvaged, instead of throwing (xml2js/sax strict) or silently guessing;
 *  - no DTD processing at all: a DOCTYPE with entity declarations is refused before anything is
 *    built (no expansion, no external fetch), an external DTD is never read;
 *  - namespaces resolved to URIs (module elements whose local names clash with RSS core names,
 *    XHTML under a prefix, Atom inside RSS), document order, and xml:base / xml:lang inheritance,
 *    which xml2js's object shape loses;
 *  - a typed error instead of a TypeError on DOCTYPEs.
 * It is a single linear pass with no backtracking and no recursion, so hostile input costs
 * time proportional to its size and cannot overflow the stack.
 */

export const XML_NS = 'http://www.w3.org/XML/1998/namespace';

export type XmlAttribute = {
  name: string;
  prefix: string | null;
  local: string;
  ns: string | null;
  value: string;
};

export type XmlElement = {
  name: string;
  prefix: string | null;
  local: string;
  ns: string | null;
  attrs: XmlAttribute[];
  children: XmlNode[];
  parent: XmlElement | null;
  /** Effective xml:base, already absolute (the document URL when none is declared). */
  base: string;
  /** Effective xml:lang, or null. */
  lang: string | null;
  /** How the element ended: its own end tag, implicitly by an ancestor's end tag, or end of input. */
  end: 'closed' | 'implicit' | 'eof';
  /**
   * Where it stands in XmlDocument.source: the start tag's '<', the offset just after the start
   * tag, and just after the end tag (-1 unless `end` is 'closed'). Lets a reader recognise an
   * element whose markup it has seen before without reading it again.
   */
  start: number;
  startTagEnd: number;
  stop: number;
};

export type XmlNode = XmlElement | string;

export type XmlDocument = {
  root: XmlElement | null;
  /** Well-formedness problems that were recovered from, with line numbers. Empty for a well-formed document. */
  errors: string[];
  /** The document has a DOCTYPE with an external DTD (never read). */
  externalDtd: boolean;
  /** Non-whitespace content other than comments/PIs outside the root element was seen. */
  contentOutsideRoot: boolean;
  /** The text the element offsets refer to (the input, less any forbidden characters removed). */
  source: string;
};

export type ParseXmlOptions = { baseUrl: string; maxDepth?: number; maxErrors?: number };

const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** Prefixes common enough in feeds that an undeclared use almost certainly means the usual namespace. */
const WELL_KNOWN_PREFIXES: Record<string, string> = {
  dc: 'http://purl.org/dc/elements/1.1/',
  dcterms: 'http://purl.org/dc/terms/',
  content: 'http://purl.org/rss/1.0/modules/content/',
  atom: 'http://www.w3.org/2005/Atom',
  a10: 'http://www.w3.org/2005/Atom',
  media: 'http://search.yahoo.com/mrss/',
  itunes: 'http://www.itunes.com/dtds/podcast-1.0.dtd',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  slash: 'http://purl.org/rss/1.0/modules/slash/',
  wfw: 'http://wellformedweb.org/CommentAPI/',
  sy: 'http://purl.org/rss/1.0/modules/syndication/',
  xhtml: 'http://www.w3.org/1999/xhtml',
};

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

// Characters XML 1.0 forbids anywhere (C0 controls except TAB/LF/CR, U+FFFE, U+FFFF).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const FORBIDDEN_CHARS_ALL = new RegExp(FORBIDDEN_CHARS.source, 'g');

function isNameStart(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    c === 95 ||
    c === 58 ||
    (c >= 0xc0 && c !== 0xd7 && c !== 0xf7)
  );
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 0xb7;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

export function parseXml(input: string, opts: ParseXmlOptions): XmlDocument {
  return new XmlParser(input, opts).parse();
}

type Scope = Map<string, string>;

type PendingElement = { element: XmlElement; scope: Scope };

class XmlParser {
  private readonly s: string;
  private pos = 0;
  private readonly errors: string[] = [];
  private readonly maxErrors: number;
  private readonly maxDepth: number;
  private readonly stack: PendingElement[] = [];
  private root: XmlElement | null = null;
  private extraRoots = 0;
  private externalDtd = false;
  private contentOutsideRoot = false;
  private text: string[] = [];
  private lineAt = 0;
  private lineCount = 1;

  constructor(
    input: string,
    private readonly opts: ParseXmlOptions,
  ) {
    if (FORBIDDEN_CHARS.test(input)) {
      this.s = '';
      this.error('characters not allowed in XML (control characters) removed');
      this.s = input.replace(FORBIDDEN_CHARS_ALL, '');
    } else {
      this.s = input;
    }
    this.maxErrors = opts.maxErrors ?? 50;
    this.maxDepth = opts.maxDepth ?? 256;
  }

  parse(): XmlDocument {
    const s = this.s;
    const n = s.length;
    while (this.pos < n) {
      const lt = s.indexOf('<', this.pos);
      if (lt === -1) {
        this.addText(this.pos, n);
        this.pos = n;
        break;
      }
      if (lt > this.pos) this.addText(this.pos, lt);
      this.pos = lt;
      const next = s.charCodeAt(lt + 1);
      if (next === 33 /* ! */) this.markupDeclaration();
      else if (next === 63 /* ? */) this.processingInstruction();
      else if (next === 47 /* / */) this.endTag();
      else if (isNameStart(next)) this.startTag();
      else {
        this.error(lt + 1 >= n ? 'document ends with "<"' : 'unescaped "<" in text');
        this.addRawText('<');
        this.pos = lt + 1;
      }
    }
    this.flushText();
    if (this.stack.length > 0) {
      this.error(`document ends inside <${this.stack.map((p) => p.element.name).join('><')}> (truncated)`);
      while (this.stack.length > 0) this.stack.pop()!.element.end = 'eof';
    }
    return {
      root: this.root,
      errors: this.errors,
      externalDtd: this.externalDtd,
      contentOutsideRoot: this.contentOutsideRoot,
      source: this.s,
    };
  }

  private error(message: string, at = this.pos): void {
    if (this.errors.length >= this.maxErrors) return;
    this.errors.push(`line ${this.lineOf(at)}: ${message}`);
    if (this.errors.length === this.maxErrors) this.errors.push('further errors not reported');
  }

  private lineOf(at: number): number {
    // Errors come in document order, so counting newlines forward from the last one is linear.
    if (at < this.lineAt) {
      this.lineAt = 0;
      this.lineCount = 1;
    }
    for (let i = this.lineAt; i < at && i < this.s.length; i++)
      if (this.s.charCodeAt(i) === 10) this.lineCount++;
    this.lineAt = Math.max(at, this.lineAt);
    return this.lineCount;
  }

  // ---- text ----------------------------------------------------------------------------------

  private addText(from: number, to: number): void {
    const raw = this.s.slice(from, to);
    if (this.stack.length === 0) {
      if (/\S/.test(raw)) {
        this.contentOutsideRoot = true;
        this.error('text outside the root element', from);
      }
      return;
    }
    this.text.push(raw.includes('&') ? this.decodeReferences(raw, from) : raw);
  }

  private addRawText(text: string): void {
    if (this.stack.length > 0) this.text.push(text);
  }

  private flushText(): void {
    if (this.text.length === 0) return;
    const joined = this.text.join('');
    this.text = [];
    const top = this.stack[this.stack.length - 1];
    if (!top || joined === '') return;
    const children = top.element.children;
    const last = children[children.length - 1];
    if (typeof last === 'string') children[children.length - 1] = last + joined;
    else children.push(joined);
  }

  /**
   * Decodes character and entity references. Recovery: a bare '&' stays literal; an undefined
   * entity that HTML knows (&nbsp;, &uuml;) is decoded as HTML would; an unknown one stays literal.
   */
  private decodeReferences(raw: string, offset: number): string {
    let out = '';
    let i = 0;
    while (i < raw.length) {
      const amp = raw.indexOf('&', i);
      if (amp === -1) {
        out += raw.slice(i);
        break;
      }
      out += raw.slice(i, amp);
      // Look for the ';' only a short way ahead: a text full of bare '&' must stay linear.
      const semiAhead = raw.slice(amp + 1, amp + 42).indexOf(';');
      const semi = semiAhead === -1 ? -1 : amp + 1 + semiAhead;
      const body = semi === -1 ? null : raw.slice(amp + 1, semi);
      const decoded = body === null ? null : this.decodeReference(body, offset + amp);
      if (decoded === null) {
        this.error('unescaped "&" in text', offset + amp);
        out += '&';
        i = amp + 1;
      } else {
        out += decoded;
        i = semi + 1;
      }
    }
    return out;
  }

  private decodeReference(body: string, at: number): string | null {
    if (body.startsWith('#')) {
      const hex = body[1] === 'x' || body[1] === 'X';
      const digits = hex ? body.slice(2) : body.slice(1);
      if (!(hex ? /^[0-9a-fA-F]{1,8}$/ : /^[0-9]{1,10}$/).test(digits)) return null;
      const code = parseInt(digits, hex ? 16 : 10);
      const valid =
        code === 9 ||
        code === 10 ||
        code === 13 ||
        (code >= 0x20 && code <= 0xd7ff) ||
        (code >= 0xe000 && code <= 0xfffd) ||
        (code >= 0x10000 && code <= 0x10ffff);
      if (!valid) {
        this.error(`character reference &${body}; to a character not allowed in XML`, at);
        return '\uFFFD';
      }
      return String.fromCodePoint(code);
    }
    if (!/^[A-Za-z_:][\w.:-]*$/.test(body)) return null;
    const predefined = PREDEFINED[body];
    if (predefined !== undefined) return predefined;
    const html = lookupEntity(body);
    const known = html !== null;
    // With an external DTD (e.g. Netscape's RSS 0.91 DTD, which defines the HTML entities) an
    // entity we cannot see declared is not a well-formedness error for a non-validating parser.
    if (!this.externalDtd)
      this.error(`undefined entity &${body};${known ? ' (decoded as HTML)' : ' (kept as text)'}`, at);
    return html ?? `&${body};`;
  }

  // ---- markup --------------------------------------------------------------------------------

  private markupDeclaration(): void {
    const s = this.s;
    const at = this.pos;
    if (s.startsWith('<!--', at)) {
      const end = s.indexOf('-->', at + 4);
      if (end === -1) {
        this.error('unterminated comment');
        this.pos = s.length;
      } else {
        this.pos = end + 3;
      }
      return;
    }
    if (s.startsWith('<![CDATA[', at)) {
      const end = s.indexOf(']]>', at + 9);
      if (this.stack.length === 0) this.error('CDATA section outside the root element');
      if (end === -1) {
        this.error('unterminated CDATA section (truncated)');
        this.addRawText(s.slice(at + 9));
        this.pos = s.length;
      } else {
        this.addRawText(s.slice(at + 9, end));
        this.pos = end + 3;
      }
      return;
    }
    if (s.slice(at, at + 9).toUpperCase() === '<!DOCTYPE') {
      this.doctype();
      return;
    }
    this.error('unknown markup declaration "<!" skipped');
    const end = s.indexOf('>', at);
    this.pos = end === -1 ? s.length : end + 1;
  }

  /**
   * A DOCTYPE is read only to find its end and to refuse entity declarations: nothing in it is
   * processed, and an external DTD is never fetched.
   */
  private doctype(): void {
    const s = this.s;
    const start = this.pos;
    if (this.root || this.stack.length > 0) this.error('DOCTYPE after the root element started');
    let i = start + 9;
    let quote = 0;
    let depth = 0;
    let end = -1;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (quote) {
        if (c === quote) quote = 0;
      } else if (c === 34 || c === 39) quote = c;
      else if (c === 91 /* [ */) depth++;
      else if (c === 93 /* ] */) depth = Math.max(0, depth - 1);
      else if (c === 60 /* < */ && depth > 0 && s.startsWith('<!--', i)) {
        const close = s.indexOf('-->', i + 4);
        i = close === -1 ? s.length : close + 2;
      } else if (c === 62 /* > */ && depth === 0) {
        end = i;
        break;
      }
    }
    const decl = s.slice(start, end === -1 ? s.length : end + 1);
    if (/<!ENTITY/i.test(decl)) {
      throw new FeedParseError(
        'entity_declaration',
        'the document type declaration declares entities; refused without expanding them (entity expansion and external entities are attack vectors, and no feed needs them)',
      );
    }
    if (/^<!DOCTYPE\s+[^\s[>]+\s+(SYSTEM|PUBLIC)\b/i.test(decl)) this.externalDtd = true;
    if (end === -1) {
      this.error('unterminated DOCTYPE');
      this.pos = s.length;
    } else {
      this.pos = end + 1;
    }
  }

  private processingInstruction(): void {
    const s = this.s;
    const at = this.pos;
    const end = s.indexOf('?>', at + 2);
    const target = /^<\?([^\s?]*)/.exec(s.slice(at, at + 64))?.[1] ?? '';
    if (target.toLowerCase() === 'xml' && at !== 0)
      this.error('XML declaration not at the start of the document', at);
    if (end === -1) {
      this.error('unterminated processing instruction');
      this.pos = s.length;
    } else {
      this.pos = end + 2;
    }
  }

  private readName(): string {
    const s = this.s;
    const start = this.pos;
    while (this.pos < s.length && isNameChar(s.charCodeAt(this.pos))) this.pos++;
    return s.slice(start, this.pos);
  }

  private skipSpace(): void {
    while (this.pos < this.s.length && isSpace(this.s.charCodeAt(this.pos))) this.pos++;
  }

  private endTag(): void {
    const s = this.s;
    const at = this.pos;
    this.pos += 2;
    const name = this.readName();
    this.skipSpace();
    if (this.pos >= s.length) {
      this.error(`document ends inside the end tag </${name}`, at);
      this.pos = s.length;
      return; // the element stays open: the parse() epilogue marks it truncated.
    }
    if (s.charCodeAt(this.pos) !== 62) {
      this.error(`malformed end tag </${name}`, at);
      // Resume after the next '>' or at the next '<', whichever comes first.
      let k = this.pos;
      while (k < s.length && s.charCodeAt(k) !== 62 && s.charCodeAt(k) !== 60) k++;
      this.pos = k < s.length && s.charCodeAt(k) === 62 ? k + 1 : k;
    } else {
      this.pos++;
    }
    this.flushText();
    let match = -1;
    for (let k = this.stack.length - 1; k >= 0; k--) {
      if (this.stack[k]!.element.name === name) {
        match = k;
        break;
      }
    }
    if (match === -1) {
      this.error(`end tag </${name}> without a matching start tag ignored`, at);
      return;
    }
    if (match !== this.stack.length - 1) {
      const unclosed = this.stack.slice(match + 1).map((p) => `<${p.element.name}>`);
      this.error(`</${name}> closes unclosed ${unclosed.join(', ')}`, at);
    }
    while (this.stack.length > match + 1) this.stack.pop()!.element.end = 'implicit';
    const closed = this.stack.pop()!.element;
    closed.end = 'closed';
    closed.stop = this.pos;
  }

  private startTag(): void {
    const s = this.s;
    const at = this.pos;
    this.pos++;
    const name = this.readName();
    const rawAttrs: { name: string; value: string }[] = [];
    let selfClosing = false;
    let complete = false;
    while (this.pos < s.length) {
      const before = this.pos;
      this.skipSpace();
      const c = s.charCodeAt(this.pos);
      if (c === 62 /* > */) {
        this.pos++;
        complete = true;
        break;
      }
      if (c === 47 /* / */ && s.charCodeAt(this.pos + 1) === 62) {
        this.pos += 2;
        selfClosing = true;
        complete = true;
        break;
      }
      if (c === 60 /* < */) {
        this.error(`unterminated start tag <${name}>`, at);
        complete = true;
        break;
      }
      if (this.pos === before && rawAttrs.length > 0)
        this.error(`missing whitespace between attributes in <${name}>`, at);
      if (!isNameStart(c)) {
        this.error(`unexpected character in <${name}>`, this.pos);
        this.pos++;
        continue;
      }
      const attrName = this.readName();
      this.skipSpace();
      if (s.charCodeAt(this.pos) !== 61 /* = */) {
        this.error(`attribute ${attrName} in <${name}> has no value`, at);
        rawAttrs.push({ name: attrName, value: attrName });
        continue;
      }
      this.pos++;
      this.skipSpace();
      const q = s.charCodeAt(this.pos);
      let value: string;
      if (q === 34 || q === 39) {
        const close = s.indexOf(q === 34 ? '"' : "'", this.pos + 1);
        if (close === -1) {
          this.pos = s.length;
          break;
        }
        const rawValue = s.slice(this.pos + 1, close);
        if (rawValue.includes('<')) this.error(`"<" in the value of attribute ${attrName}`, at);
        value = this.attributeValue(rawValue, this.pos + 1);
        this.pos = close + 1;
      } else {
        this.error(`unquoted value for attribute ${attrName} in <${name}>`, at);
        const start = this.pos;
        while (this.pos < s.length && !isSpace(s.charCodeAt(this.pos)) && s.charCodeAt(this.pos) !== 62)
          this.pos++;
        value = this.attributeValue(s.slice(start, this.pos), start);
      }
      if (rawAttrs.some((a) => a.name === attrName))
        this.error(`duplicate attribute ${attrName} in <${name}>`, at);
      else rawAttrs.push({ name: attrName, value });
    }
    if (!complete) {
      // Truncated inside a start tag: the partial element is dropped.
      this.error(`document ends inside the start tag <${name}`, at);
      this.pos = s.length;
      return;
    }
    this.flushText();
    this.openElement(name, rawAttrs, at);
    if (selfClosing) {
      const closed = this.stack.pop()!.element;
      closed.end = 'closed';
      closed.stop = this.pos;
    }
  }

  private attributeValue(raw: string, offset: number): string {
    const decoded = raw.includes('&') ? this.decodeReferences(raw, offset) : raw;
    return decoded.replace(/[\t\n\r]/g, ' ');
  }

  private openElement(name: string, rawAttrs: { name: string; value: string }[], at: number): void {
    const parent = this.stack[this.stack.length - 1];
    if (!parent) {
      if (this.root) {
        this.extraRoots++;
        if (this.extraRoots === 1) this.error(`second root element <${name}> ignored`, at);
      }
    }
    if (this.stack.length >= this.maxDepth) {
      throw new FeedParseError('malformed', `elements nested more than ${this.maxDepth} deep`);
    }

    let scope = parent?.scope ?? new Map<string, string>();
    for (const attr of rawAttrs) {
      if (attr.name === 'xmlns' || attr.name.startsWith('xmlns:')) {
        if (scope === parent?.scope || scope.size === 0) scope = new Map(scope);
        scope.set(attr.name === 'xmlns' ? '' : attr.name.slice(6), attr.value);
      }
    }
    const resolve = (
      qname: string,
      isAttribute: boolean,
    ): { prefix: string | null; local: string; ns: string | null } => {
      const colon = qname.indexOf(':');
      if (colon <= 0) return { prefix: null, local: qname, ns: isAttribute ? null : scope.get('') || null };
      const prefix = qname.slice(0, colon);
      const local = qname.slice(colon + 1);
      if (prefix === 'xml') return { prefix, local, ns: XML_NS };
      if (prefix === 'xmlns') return { prefix, local, ns: XMLNS_NS };
      const ns = scope.get(prefix);
      if (ns) return { prefix, local, ns };
      const guess = WELL_KNOWN_PREFIXES[prefix.toLowerCase()] ?? null;
      this.error(`namespace prefix "${prefix}" is not declared${guess ? ` (assumed ${guess})` : ''}`, at);
      return { prefix, local, ns: guess };
    };

    const elementName = resolve(name, false);
    const attrs: XmlAttribute[] = rawAttrs.map((a) => ({
      name: a.name,
      value: a.value,
      ...resolve(a.name, true),
    }));

    const parentElement = parent?.element ?? null;
    const parentBase = parentElement?.base ?? this.opts.baseUrl;
    const xmlBase = attrs.find((a) => a.ns === XML_NS && a.local === 'base')?.value;
    let base = parentBase;
    if (xmlBase !== undefined) {
      try {
        base = new URL(xmlBase.trim(), parentBase).href;
      } catch {
        this.error(`invalid xml:base "${xmlBase}" ignored`, at);
      }
    }
    const xmlLang = attrs.find((a) => a.ns === XML_NS && a.local === 'lang')?.value;
    const element: XmlElement = {
      name,
      ...elementName,
      attrs,
      children: [],
      parent: parentElement,
      base,
      lang: xmlLang !== undefined ? xmlLang.trim() || null : (parentElement?.lang ?? null),
      end: 'closed',
      start: at,
      startTagEnd: this.pos,
      stop: -1,
    };
    if (parentElement) parentElement.children.push(element);
    else if (!this.root) this.root = element;
    this.stack.push({ element, scope });
  }
}

// ---- helpers for readers ------------------------------------------------------------------

export function childElements(element: XmlElement): XmlElement[] {
  return element.children.filter((c): c is XmlElement => typeof c !== 'string');
}

export function attr(element: XmlElement, local: string, ns: string | null = null): string | null {
  const found = element.attrs.find((a) => a.local === local && a.ns === ns);
  return found ? found.value : null;
}

/** All text inside an element, descendants included, in document order (iterative: no recursion). */
export function textContent(element: XmlElement): string {
  const out: string[] = [];
  const stack: XmlNode[] = [...element.children].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (typeof node === 'string') out.push(node);
    else for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
  }
  return out.join('');
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;');
}

/**
 * Serialises the children of an element as markup. Used for Atom type="xhtml" content: XHTML
 * elements are written with their local names (so <h:p> becomes <p>), text is re-escaped, and
 * namespace declarations are dropped.
 */
export function serializeChildren(element: XmlElement): string {
  const out: string[] = [];
  type Frame = { node: XmlNode } | { close: string };
  const stack: Frame[] = [...element.children].reverse().map((node) => ({ node }));
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if ('close' in frame) {
      out.push(frame.close);
      continue;
    }
    const node = frame.node;
    if (typeof node === 'string') {
      out.push(escapeText(node));
      continue;
    }
    const name = node.ns === XHTML_NS || node.prefix === null ? node.local : node.name;
    const attrs = node.attrs
      .filter((a) => a.name !== 'xmlns' && a.prefix !== 'xmlns')
      .map((a) => ` ${a.ns === null ? a.local : a.name}="${escapeAttribute(a.value)}"`)
      .join('');
    if (node.children.length === 0 && VOID_ELEMENTS.has(name.toLowerCase())) {
      out.push(`<${name}${attrs} />`);
      continue;
    }
    out.push(`<${name}${attrs}>`);
    stack.push({ close: `</${name}>` });
    for (let i = node.children.length - 1; i >= 0; i--) stack.push({ node: node.children[i]! });
  }
  return out.join('');
}

export const XHTML_NS = 'http://www.w3.org/1999/xhtml';

const VOID_ELEMENTS = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'source',
  'track',
  'wbr',
]);
