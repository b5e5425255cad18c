import { createHash } from 'node:crypto';
import { FeedParseError } from './feed-parse-error';
import { parseFeedDate } from './feed-dates';
import { type FeedFormat, type FeedItem, type KnownItemDates, type KnownItemRef } from './feed-types';
import { htmlToText, looksLikeHtml, plainToText, toSingleLine } from './html-to-text';
import {
  XHTML_NS,
  type XmlDocument,
  type XmlElement,
  attr,
  childElements,
  serializeChildren,
  textContent,
} from './xml-document';

export const NS = {
  atom10: 'http://www.w3.org/2005/Atom',
  atom03: 'http://purl.org/atom/ns#',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  rss1: 'http://purl.org/rss/1.0/',
  rss090: 'http://my.netscape.com/rdf/simple/0.9/',
  rss090alt: 'http://channel.netscape.com/rdf/simple/0.9/',
  dc: 'http://purl.org/dc/elements/1.1/',
  dcterms: 'http://purl.org/dc/terms/',
  content: 'http://purl.org/rss/1.0/modules/content/',
  itunes: 'http://www.itunes.com/dtds/podcast-1.0.dtd',
} as const;

/** RSS 0.9x/2.0 core elements have no namespace; two early RSS 2.0 namespaces are seen in old feeds. */
const RSS2_NAMESPACES: ReadonlySet<string | null> = new Set<string | null>([
  null,
  'http://backend.userland.com/rss2',
  'http://blogs.law.harvard.edu/tech/rss',
]);
const RSS1_CORE = new Set<string | null>([NS.rss1, NS.rss090, NS.rss090alt, null]);
const ATOM = new Set<string | null>([NS.atom10, NS.atom03]);

export type XmlFeedResult = {
  format: FeedFormat;
  version: string | null;
  title: string;
  link: string | null;
  language: string | null;
  items: FeedItem[];
  warnings: string[];
  /** Structural defects recovered from (beyond XML well-formedness). */
  structural: boolean;
  known: KnownItemRef[];
  itemKeys: string[] | null;
};

export type ReadXmlFeedOptions = { knownItem?: (key: string) => KnownItemDates | null };

/** Recognises the feed format from the root element (never from the file name or Content-Type). */
export function readXmlFeed(doc: XmlDocument, opts: ReadXmlFeedOptions = {}): XmlFeedResult {
  const root = doc.root!;
  // Items are recognised by their markup only in a well-formed document: recovery from an
  // error may depend on what surrounds an item.
  const knownItem = doc.errors.length === 0 ? opts.knownItem : undefined;
  // The root's local name decides; an unexpected default namespace on it (seen in the wild:
  // <rss xmlns="http://www.w3.org/2005/Atom">) is tolerated and its elements read as core ones.
  if (root.local === 'rss') return readRss2(doc, root, knownItem);
  if (root.local === 'RDF') return readRss1(doc, root, knownItem);
  if (root.local === 'feed') return readAtom(doc, root, knownItem);
  if (root.local.toLowerCase() === 'html')
    throw new FeedParseError('not_a_feed', 'the document is an HTML page, not a feed');
  throw new FeedParseError(
    'not_a_feed',
    `root element <${root.name}> is not <rss>, <rdf:RDF> or Atom <feed>`,
  );
}

// ---- shared helpers ---------------------------------------------------------------------------

function child(
  el: XmlElement,
  local: string,
  nss: ReadonlySet<string | null> | string | null,
): XmlElement | null {
  for (const c of el.children) {
    if (typeof c === 'string' || c.local !== local) continue;
    if (typeof nss === 'string' || nss === null ? c.ns === nss : nss.has(c.ns)) return c;
  }
  return null;
}

function children(
  el: XmlElement,
  local: string,
  nss: ReadonlySet<string | null> | string | null,
): XmlElement[] {
  return childElements(el).filter(
    (c) => c.local === local && (typeof nss === 'string' || nss === null ? c.ns === nss : nss.has(c.ns)),
  );
}

function childText(
  el: XmlElement,
  local: string,
  nss: ReadonlySet<string | null> | string | null,
): string | null {
  const found = child(el, local, nss);
  if (!found) return null;
  const text = textContent(found).trim();
  return text === '' ? null : text;
}

function absoluteHttpUrl(value: string | null | undefined, base: string): string | null {
  if (!value) return null;
  try {
    const url = new URL(value.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

export function isAbsoluteHttpUrl(value: string): boolean {
  return /^https?:\/\/[^\s/?#]+/i.test(value.trim());
}

function cleanTitle(value: string | null): string {
  if (!value) return '';
  return toSingleLine(value, looksLikeHtml(value));
}

function cleanName(value: string | null): string | null {
  if (!value) return null;
  // RSS <author> is "email (Name)"; keep the name when there is one.
  const named = value.length < 512 ? /^\s*\S+@\S+\s*\((.+)\)\s*$/.exec(value) : null;
  const text = toSingleLine(named ? named[1]! : value, looksLikeHtml(value));
  return text === '' ? null : text;
}

function cleanLanguage(value: string | null | undefined): string | null {
  const text = value?.trim();
  return text ? text.slice(0, 35) : null;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The first of the candidate values that reads as a date. */
function firstDate(values: (string | null)[]): string | null {
  for (const value of values) {
    const date = value ? parseFeedDate(value) : null;
    if (date) return date;
  }
  return null;
}

type ItemCollector = { items: XmlElement[]; warnings: string[]; structural: boolean };

/** Items open at end of input were cut off: their content is incomplete, so they are dropped. */
function dropTruncated(collector: ItemCollector, kind: string): XmlElement[] {
  const complete = collector.items.filter((item) => item.end !== 'eof');
  const dropped = collector.items.length - complete.length;
  if (dropped > 0) {
    collector.warnings.push(`${dropped} ${kind} cut off by the end of the document dropped`);
    collector.structural = true;
  }
  return complete;
}

/**
 * A container (RSS channel, Atom feed) that was never properly closed, in a document that is
 * not well-formed, and in which no complete item survives, gives nothing worth trusting: the
 * typical case is a server error in the middle of rendering. That is rejected, not salvaged.
 */
function rejectBrokenEmptyContainer(
  doc: XmlDocument,
  container: XmlElement,
  items: unknown[],
  what: string,
): void {
  if (items.length === 0 && container.end !== 'closed' && doc.errors.length > 0) {
    const cause = doc.errors.find((e) => /truncated|ends inside|closes unclosed/.test(e)) ?? doc.errors[0];
    throw new FeedParseError(
      'malformed',
      `${what} is not closed (${container.end === 'eof' ? 'document truncated' : 'mismatched end tag'}) and holds no complete item: ${cause}`,
    );
  }
}

function warnNested(items: XmlElement[], local: string, collector: ItemCollector): void {
  let nested = 0;
  const stack: XmlElement[] = [];
  for (const item of items) for (const c of childElements(item)) stack.push(c);
  while (stack.length > 0) {
    const el = stack.pop()!;
    if (el.local === local) nested++;
    for (const c of childElements(el)) stack.push(c);
  }
  if (nested > 0) {
    collector.warnings.push(`${nested} <${local}> elements nested inside other items ignored`);
    collector.structural = true;
  }
}

/**
 * Bump when a reader change must reach items whose markup did not change (a caller's memory
 * of items by key is then void).
 */
const ITEM_KEY_VERSION = 'v1';

type ReadItems = { items: FeedItem[]; known: KnownItemRef[]; itemKeys: string[] | null };

/**
 * Reads each item element, or - when the caller knows an item's key - leaves it unread. The key
 * is a hash of the item's markup and of everything outside it that reading it depends on: the
 * start tags of its ancestors (namespace declarations, xml:base, xml:lang), the root's resolved
 * base (the document's URL), and the feed-level values the reader passes in (`context`: the
 * format, the feed's language, the feed's author). The same key therefore reads to the same item.
 */
function readItems(
  doc: XmlDocument,
  elements: XmlElement[],
  knownItem: ((key: string) => KnownItemDates | null) | undefined,
  context: (string | null)[],
  read: (element: XmlElement) => FeedItem,
): ReadItems {
  if (!knownItem) return { items: elements.map(read), known: [], itemKeys: null };
  const items: FeedItem[] = [];
  const known: KnownItemRef[] = [];
  const itemKeys: string[] = [];
  const contexts = new Map<XmlElement | null, Buffer>();
  const contextOf = (parent: XmlElement | null): Buffer => {
    let value = contexts.get(parent);
    if (value === undefined) {
      const tags: string[] = [];
      for (let el = parent; el; el = el.parent) tags.push(doc.source.slice(el.start, el.startTagEnd));
      value = createHash('sha256')
        .update(
          JSON.stringify([ITEM_KEY_VERSION, doc.root?.base ?? '', doc.externalDtd, ...context, ...tags]),
        )
        .digest();
      contexts.set(parent, value);
    }
    return value;
  };
  for (let index = 0; index < elements.length; index++) {
    const element = elements[index]!;
    const key = createHash('sha256')
      .update(contextOf(element.parent))
      .update(doc.source.slice(element.start, element.stop))
      .digest('base64url')
      .slice(0, 22);
    const dates = element.stop >= 0 ? knownItem(key) : null;
    if (dates) {
      known.push({ index, key, dates });
      continue;
    }
    items.push(read(element));
    itemKeys.push(key);
  }
  return { items, known, itemKeys };
}

// ---- RSS 0.9x / 2.0 ---------------------------------------------------------------------------

function readRss2(
  doc: XmlDocument,
  root: XmlElement,
  knownItem: ReadXmlFeedOptions['knownItem'],
): XmlFeedResult {
  const collector: ItemCollector = { items: [], warnings: [], structural: false };
  const core = RSS2_NAMESPACES.has(root.ns) ? RSS2_NAMESPACES : new Set([...RSS2_NAMESPACES, root.ns]);
  if (core !== RSS2_NAMESPACES) collector.warnings.push(`<rss> in namespace ${root.ns}; read as RSS 2.0`);
  const channel = child(root, 'channel', core);
  if (!channel) collector.warnings.push('no <channel> element');
  if (channel) collector.items = collector.items.concat(children(channel, 'item', core));
  const misplaced = children(root, 'item', core);
  if (misplaced.length > 0) {
    collector.warnings.push(`${misplaced.length} <item> elements outside <channel> read anyway`);
    collector.structural = true;
    collector.items = collector.items.concat(misplaced);
  }
  warnNested(collector.items, 'item', collector);
  const items = dropTruncated(collector, '<item> elements');
  if (channel) rejectBrokenEmptyContainer(doc, channel, items, '<channel>');

  const feedLanguage = cleanLanguage(
    (channel && (childText(channel, 'language', core) ?? childText(channel, 'language', NS.dc))) ?? root.lang,
  );
  const unreadable = { count: 0 };
  const read = readItems(doc, items, knownItem, ['rss2', feedLanguage], (item) =>
    readRssItem(item, core, feedLanguage, unreadable),
  );
  if (unreadable.count > 0)
    collector.warnings.push(`${unreadable.count} items have dates that could not be read (publishedAt null)`);
  return {
    format: 'rss2',
    version: attr(root, 'version')?.trim() || null,
    title: cleanTitle(channel && childText(channel, 'title', core)),
    link: channel ? absoluteHttpUrl(childText(channel, 'link', core), channel.base) : null,
    language: feedLanguage,
    ...read,
    warnings: collector.warnings,
    structural: collector.structural,
  };
}

function readRssItem(
  item: XmlElement,
  core: ReadonlySet<string | null>,
  feedLanguage: string | null,
  unreadable: { count: number },
): FeedItem {
  const guidEl = child(item, 'guid', core);
  const guid = guidEl ? textContent(guidEl).trim() || null : null;
  const about = attr(item, 'about', NS.rdf)?.trim() || null;
  const guidIsPermalink =
    guid !== null &&
    (attr(guidEl!, 'isPermaLink') ?? 'true').trim().toLowerCase() !== 'false' &&
    isAbsoluteHttpUrl(guid);

  const linkEl = children(item, 'link', core).find((l) => textContent(l).trim() !== '');
  const atomLink = pickAtomLink(item);
  // <link> wins over the guid; a permalink guid is the link when there is no <link>.
  const link =
    (linkEl && absoluteHttpUrl(textContent(linkEl), linkEl.base)) ??
    atomLink ??
    (guidIsPermalink ? absoluteHttpUrl(guid, guidEl!.base) : null) ??
    (about ? absoluteHttpUrl(about, item.base) : null);

  const encoded = child(item, 'encoded', NS.content);
  const description = child(item, 'description', core) ?? child(item, 'description', NS.dc);
  const contentEl = [encoded, description].find((el) => el && textContent(el).trim() !== '') ?? null;
  const rawContent = contentEl ? textContent(contentEl).trim() : null;

  const author =
    childText(item, 'author', core) ??
    childText(item, 'creator', NS.dc) ??
    childText(item, 'author', NS.itunes) ??
    atomPersonName(item);

  const published = firstDate([
    childText(item, 'pubDate', core),
    childText(item, 'date', NS.dc),
    childText(item, 'issued', NS.dcterms),
    childText(item, 'created', NS.dcterms),
    childText(item, 'published', NS.atom10),
  ]);
  const updated = firstDate([childText(item, 'modified', NS.dcterms), childText(item, 'updated', NS.atom10)]);
  if (!published && !updated && hasAnyDate(item, core)) unreadable.count++;

  return {
    guid: guid ?? about,
    guidIsPermalink,
    link,
    title: cleanTitle(childText(item, 'title', core) ?? childText(item, 'title', NS.dc)),
    text: rawContent ? htmlToText(rawContent) : '',
    rawContent,
    contentBaseUrl: (contentEl ?? item).base,
    author: cleanName(author),
    publishedAt: published ?? updated,
    updatedAt: updated,
    language: cleanLanguage(childText(item, 'language', NS.dc) ?? item.lang ?? feedLanguage),
  };
}

function hasAnyDate(item: XmlElement, core: ReadonlySet<string | null>): boolean {
  return (
    child(item, 'pubDate', core) !== null ||
    child(item, 'date', NS.dc) !== null ||
    child(item, 'issued', NS.dcterms) !== null ||
    child(item, 'modified', NS.dcterms) !== null
  );
}

/** atom:link inside RSS (.NET's a10:link, WordPress's atom:link): the alternate one. */
function pickAtomLink(el: XmlElement): string | null {
  const links = childElements(el).filter((c) => c.local === 'link' && ATOM.has(c.ns));
  return chooseAlternate(links);
}

function chooseAlternate(links: XmlElement[]): string | null {
  const withHref = links.filter((l) => attr(l, 'href'));
  const alternates = withHref.filter(
    (l) => (attr(l, 'rel') ?? 'alternate').trim().toLowerCase() === 'alternate',
  );
  const html = alternates.find((l) => /html/i.test(attr(l, 'type') ?? 'text/html'));
  const chosen = html ?? alternates[0];
  return chosen ? absoluteHttpUrl(attr(chosen, 'href'), chosen.base) : null;
}

function atomPersonName(el: XmlElement): string | null {
  for (const author of childElements(el).filter((c) => c.local === 'author' && ATOM.has(c.ns))) {
    const name = childText(author, 'name', author.ns) ?? childText(author, 'email', author.ns);
    if (name) return name;
    const text = textContent(author).trim();
    if (text) return text;
  }
  return null;
}

// ---- RSS 0.90 / 1.0 (RDF) ---------------------------------------------------------------------

function readRss1(
  doc: XmlDocument,
  root: XmlElement,
  knownItem: ReadXmlFeedOptions['knownItem'],
): XmlFeedResult {
  const collector: ItemCollector = { items: [], warnings: [], structural: false };
  if (root.ns !== NS.rdf)
    collector.warnings.push(`<RDF> root in namespace ${root.ns ?? '(none)'}; read as RSS 1.0`);
  const channel = child(root, 'channel', RSS1_CORE);
  if (!channel) collector.warnings.push('no <channel> element');
  // RSS 1.0 puts items beside the channel; some feeds put them inside it.
  collector.items = children(root, 'item', RSS1_CORE);
  if (channel) collector.items = collector.items.concat(children(channel, 'item', RSS1_CORE));
  warnNested(collector.items, 'item', collector);
  const items = dropTruncated(collector, '<item> elements');
  rejectBrokenEmptyContainer(doc, root, items, '<rdf:RDF>');

  const coreNs = channel?.ns ?? items[0]?.ns ?? NS.rss1;
  const feedLanguage = cleanLanguage((channel && childText(channel, 'language', NS.dc)) ?? root.lang);
  const unreadable = { count: 0 };
  const read = readItems(doc, items, knownItem, ['rss1', feedLanguage], (item) =>
    readRssItem(item, RSS1_CORE, feedLanguage, unreadable),
  );
  if (unreadable.count > 0)
    collector.warnings.push(`${unreadable.count} items have dates that could not be read (publishedAt null)`);
  return {
    format: 'rss1',
    version: coreNs === NS.rss1 ? '1.0' : coreNs === NS.rss090 || coreNs === NS.rss090alt ? '0.90' : null,
    title: cleanTitle(channel && childText(channel, 'title', RSS1_CORE)),
    link: channel ? absoluteHttpUrl(childText(channel, 'link', RSS1_CORE), channel.base) : null,
    language: feedLanguage,
    ...read,
    warnings: collector.warnings,
    structural: collector.structural,
  };
}

// ---- Atom 1.0 / 0.3 ---------------------------------------------------------------------------

type TextConstruct = { markup: string; isHtml: boolean; element: XmlElement };

/**
 * Atom text constructs and content: type text/html/xhtml (1.0) or a MIME type with
 * mode="xml|escaped|base64" (0.3). Non-text MIME types carry base64 (RFC 4287 4.1.3.3).
 */
function readTextConstruct(el: XmlElement | null): TextConstruct | null {
  if (!el) return null;
  const type = (attr(el, 'type') ?? 'text').trim().toLowerCase();
  const mode = (attr(el, 'mode') ?? '').trim().toLowerCase();
  const src = attr(el, 'src');
  if (src && el.children.length === 0) return null; // out-of-line content: nothing to read here
  const isXhtml = type === 'xhtml' || type === 'application/xhtml+xml';
  const isHtmlType = type === 'html' || type === 'text/html';
  const isTextType = type === 'text' || type === 'text/plain';
  const isXmlType = type.endsWith('+xml') || type.endsWith('/xml');
  if (
    mode === 'base64' ||
    (!isXhtml && !isHtmlType && !isTextType && !isXmlType && !type.startsWith('text/'))
  ) {
    const decoded = Buffer.from(textContent(el).replace(/\s+/g, ''), 'base64').toString('utf8');
    return { markup: decoded, isHtml: isHtmlType || looksLikeHtml(decoded), element: el };
  }
  if (isXhtml || (mode === 'xml' && !isTextType)) {
    const div = childElements(el).find((c) => c.local === 'div' && c.ns === XHTML_NS);
    const onlyDiv = div && el.children.every((c) => c === div || (typeof c === 'string' && c.trim() === ''));
    return { markup: serializeChildren(onlyDiv ? div : el).trim(), isHtml: true, element: el };
  }
  const text = textContent(el);
  if (isHtmlType || mode === 'escaped') return { markup: text.trim(), isHtml: true, element: el };
  return { markup: text.trim(), isHtml: false, element: el };
}

function readAtom(
  doc: XmlDocument,
  root: XmlElement,
  knownItem: ReadXmlFeedOptions['knownItem'],
): XmlFeedResult {
  const collector: ItemCollector = { items: [], warnings: [], structural: false };
  const ns = root.ns;
  if (!ATOM.has(ns)) {
    // Without the namespace this is not Atom by the spec, only by its shape: a structural defect.
    collector.warnings.push(`<feed> is not in an Atom namespace (${ns ?? 'none'}); read as Atom`);
    collector.structural = true;
  }
  const inNs = new Set<string | null>([ns]);
  collector.items = children(root, 'entry', inNs);
  warnNested(collector.items, 'entry', collector);
  const entries = dropTruncated(collector, '<entry> elements');
  rejectBrokenEmptyContainer(doc, root, entries, '<feed>');

  const feedAuthor = atomName(root, inNs);
  const feedLanguage = cleanLanguage(root.lang);
  const unreadable = { count: 0 };
  const read = readItems(doc, entries, knownItem, ['atom', feedLanguage, feedAuthor], (entry): FeedItem => {
    const title = readTextConstruct(child(entry, 'title', inNs));
    const content =
      readTextConstruct(child(entry, 'content', inNs)) ?? readTextConstruct(child(entry, 'summary', inNs));
    const rawContent = content
      ? (content.isHtml ? content.markup : escapeHtml(content.markup)) || null
      : null;
    const published = firstDate([
      childText(entry, 'published', inNs),
      childText(entry, 'issued', inNs),
      childText(entry, 'created', inNs),
    ]);
    const updated = firstDate([childText(entry, 'updated', inNs), childText(entry, 'modified', inNs)]);
    if (
      !published &&
      !updated &&
      ['published', 'issued', 'created', 'updated', 'modified'].some((d) => child(entry, d, inNs))
    ) {
      unreadable.count++;
    }
    const source = child(entry, 'source', inNs);
    const links = childElements(entry).filter((c) => c.local === 'link' && c.ns === ns);
    return {
      guid: childText(entry, 'id', inNs),
      guidIsPermalink: false,
      link: chooseAlternate(links),
      title: title ? toSingleLine(title.markup, title.isHtml) : '',
      text: content ? (content.isHtml ? htmlToText(content.markup) : plainToText(content.markup)) : '',
      rawContent,
      contentBaseUrl: (content?.element ?? entry).base,
      author: cleanName(atomName(entry, inNs) ?? (source && atomName(source, inNs)) ?? feedAuthor),
      publishedAt: published ?? updated,
      updatedAt: updated,
      language: cleanLanguage(content?.element.lang ?? entry.lang ?? feedLanguage),
    };
  });
  if (unreadable.count > 0)
    collector.warnings.push(
      `${unreadable.count} entries have dates that could not be read (publishedAt null)`,
    );
  const feedTitle = readTextConstruct(child(root, 'title', inNs));
  const feedLinks = childElements(root).filter((c) => c.local === 'link' && c.ns === ns);
  return {
    format: 'atom',
    version: ns === NS.atom10 ? '1.0' : ns === NS.atom03 ? attr(root, 'version')?.trim() || '0.3' : null,
    title: feedTitle ? toSingleLine(feedTitle.markup, feedTitle.isHtml) : '',
    link: chooseAlternate(feedLinks),
    language: feedLanguage,
    ...read,
    warnings: collector.warnings,
    structural: collector.structural,
  };
}

function atomName(el: XmlElement, inNs: ReadonlySet<string | null>): string | null {
  for (const author of children(el, 'author', inNs)) {
    const name = childText(author, 'name', inNs) ?? childText(author, 'email', inNs);
    if (name) return name;
  }
  return null;
}
