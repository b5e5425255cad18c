import { decodeFeedBytes } from './decode-feed-bytes';
import { FeedParseError } from './feed-parse-error';
import { type ParsedFeed, type ParseFeedOptions } from './feed-types';
import { readJsonFeed } from './read-json-feed';
import { readXmlFeed } from './read-xml-feed';
import { parseXml } from './xml-document';

const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;

/**
 * Parses RSS 0.9x/2.0, RSS 0.90/1.0 (RDF), Atom 0.3/1.0 and JSON Feed 1.0/1.1 from raw bytes.
 *
 * Policy:
 *  - The format comes from the content (first character, then the root element), never from the
 *    URL or Content-Type.
 *  - A DOCTYPE that declares entities is refused ('entity_declaration') before any element is
 *    read: no expansion (billion laughs, quadratic blow-up) and no external entity (XXE). This
 *    also refuses harmless internal entities (feedparser's entity_in_doctype fixture): no real
 *    feed needs them and telling harmless ones apart is exactly what the attacks exploit. A
 *    DOCTYPE without entity declarations is skipped, and an external DTD is never fetched.
 *  - Defective input is recovered where the result can be trusted, and then `salvaged` is true
 *    and `warnings` say what was wrong; items cut off by truncation are dropped, not guessed.
 *  - Items are returned in document order and duplicates are kept (articleIdentity() maps them
 *    to the same article; dedupeItems() keeps one deterministically).
 */
export async function parseFeed(body: Buffer, opts: ParseFeedOptions): Promise<ParsedFeed> {
  return parseFeedSync(body, opts);
}

export function parseFeedSync(body: Buffer, opts: ParseFeedOptions): ParsedFeed {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (body.length > maxBytes)
    throw new FeedParseError('too_large', `feed is ${body.length} bytes, over the ${maxBytes}-byte limit`);
  if (body.length === 0) throw new FeedParseError('empty', 'the document is empty (0 bytes)');

  const first = firstSignificantByte(body);
  if (first === null) throw new FeedParseError('empty', 'the document holds only whitespace');
  const json = first === 0x7b /* { */ || first === 0x5b; /* [ */
  const decoded = decodeFeedBytes(body, { contentType: opts.contentType ?? null, json });
  const warnings = [...decoded.warnings];
  const text = decoded.text.replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new FeedParseError('empty', 'the document holds only whitespace');

  if (json) {
    const feed = readJsonFeed(text, opts.feedUrl);
    warnings.push(...feed.warnings, ...duplicateWarnings(feed.items));
    return {
      format: 'json',
      version: feed.version,
      title: feed.title,
      link: feed.link,
      language: feed.language,
      items: feed.items,
      warnings,
      salvaged: decoded.defective || feed.structural,
      encoding: decoded.encoding,
      known: [],
      itemKeys: null,
    };
  }

  // Text before the markup (a PHP warning, a stray line) is tolerated: the XML parser reports it
  // and the feed is salvaged. With no markup at all it is not a feed.
  if (!text.includes('<')) throw new FeedParseError('not_a_feed', 'the document is neither XML nor JSON');
  const doc = parseXml(text, { baseUrl: opts.feedUrl });
  if (!doc.root) {
    if (doc.contentOutsideRoot)
      throw new FeedParseError('not_a_feed', 'the document has no root element, only text');
    throw new FeedParseError(
      'empty',
      'the document has no root element (only comments, declarations or whitespace)',
    );
  }
  // A body decoded with repairs is read in full: its items are not recognised by their markup.
  const feed = readXmlFeed(doc, { knownItem: decoded.defective ? undefined : opts.knownItem });
  warnings.push(
    ...doc.errors.map((e) => `XML not well-formed: ${e}`),
    ...feed.warnings,
    ...duplicateWarnings(feed.items),
  );
  return {
    format: feed.format,
    version: feed.version,
    title: feed.title,
    link: feed.link,
    language: feed.language,
    items: feed.items,
    warnings,
    salvaged: decoded.defective || doc.errors.length > 0 || feed.structural,
    encoding: decoded.encoding,
    known: feed.known,
    itemKeys: feed.itemKeys,
  };
}

/** First byte that is not whitespace, a BOM byte or a UTF-16/32 zero byte, or null. */
function firstSignificantByte(body: Buffer): number | null {
  const limit = Math.min(body.length, 4096);
  for (let i = 0; i < limit; i++) {
    const b = body[i]!;
    if (b === 0x00 || b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
    if (i < 4 && (b === 0xef || b === 0xbb || b === 0xbf || b === 0xfe || b === 0xff)) continue;
    return b;
  }
  return body.length > limit ? body[limit]! : null;
}

function duplicateWarnings(items: { guid: string | null }[]): string[] {
  const seen = new Set<string>();
  let duplicates = 0;
  for (const item of items) {
    if (item.guid === null) continue;
    if (seen.has(item.guid)) duplicates++;
    else seen.add(item.guid);
  }
  return duplicates > 0
    ? [`${duplicates} items repeat the id/guid of an earlier item (kept; they map to one article)`]
    : [];
}
