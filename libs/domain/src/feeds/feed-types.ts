export type FeedFormat = 'rss2' | 'rss1' | 'atom' | 'json';

export type FeedItem = {
  /** RSS guid, Atom id, RDF rdf:about, JSON Feed id; trimmed; null when absent. */
  guid: string | null;
  /** RSS: guid without isPermaLink="false" that is an absolute http(s) URL. Atom/RDF: false. JSON: id equals url. */
  guidIsPermalink: boolean;
  /** Absolute http(s) URL of the article, resolved against xml:base (which starts at the feed URL), or null. */
  link: string | null;
  /** Clean single-line text ('' when the item has no title). */
  title: string;
  /** The body reduced to clean text (scripts and styles dropped, entities decoded, whitespace normalised). */
  text: string;
  /** The body as the feed gave it (HTML kept; plain-text bodies are HTML-escaped), or null. NOT sanitised. */
  rawContent: string | null;
  /** Base URL for relative links inside rawContent (xml:base of the content element, else the item's). */
  contentBaseUrl: string;
  author: string | null;
  /** ISO 8601 UTC, or null when the feed gives no readable date (never the fetch time). */
  publishedAt: string | null;
  /** ISO 8601 UTC of the last update the feed states (Atom updated, dcterms:modified, JSON date_modified), or null. */
  updatedAt: string | null;
  /** xml:lang / dc:language / feed language, as given (e.g. 'en-us'), or null. */
  language: string | null;
};

export type ParsedFeed = {
  format: FeedFormat;
  /** '2.0', '0.91', '1.0', '0.90', '0.3', '1.1', ... when known. */
  version: string | null;
  title: string;
  /** The site's home page (absolute), or null. */
  link: string | null;
  language: string | null;
  /** Items in document order. Duplicates are kept: articleIdentity() gives them the same id. */
  items: FeedItem[];
  /** Everything that was wrong or odd, recovered from or not, for the operator. */
  warnings: string[];
  /** True when the input was defective (not well-formed, wrongly encoded, structurally broken) and was recovered. */
  salvaged: boolean;
  /** The character encoding used to decode the body. */
  encoding: string;
  /**
   * Items not read again because the caller knew their markup (ParseFeedOptions.knownItem):
   * their position among all items in document order, their key and the dates the caller gave.
   * `items` holds the others, in document order. Empty unless knownItem was given.
   */
  known: KnownItemRef[];
  /** The markup key of each item of `items` (same order), when knownItem was given and keys apply; else null. */
  itemKeys: string[] | null;
};

/** What the caller remembers of an item it has handled before: enough for cadence and dedupe. */
export type KnownItemDates = { publishedAt: string | null; updatedAt: string | null };

export type KnownItemRef = { index: number; key: string; dates: KnownItemDates };

export type ParseFeedOptions = {
  /** The URL the body was fetched from (after redirects): the base for relative links and feed-local ids. */
  feedUrl: string;
  /** HTTP Content-Type, for its charset (and as a hint for JSON). */
  contentType?: string | null;
  /** Refuse larger bodies with code 'too_large' (default 20 MiB). */
  maxBytes?: number;
  /**
   * Called with the key of each complete XML item (a hash of its markup and of everything
   * outside it that its reading depends on): a caller that handled an item with this very key
   * before, and needs nothing more of it, returns its dates and the item is not read again (it
   * goes to ParsedFeed.known). Keys are only given for well-formed, correctly encoded documents.
   */
  knownItem?: (key: string) => KnownItemDates | null;
};
