import { decodeFeedBytes } from '../feeds/decode-feed-bytes';
import { FeedParseError } from '../feeds/feed-parse-error';
import { childElements, parseXml, type XmlElement } from '../feeds/xml-document';

/*
 * OPML 1.0/2.0, the format feed readers exchange subscription lists in. Read with the same
 * XML parser as feeds, so the same guards hold: a DOCTYPE declaring entities is refused, an
 * external DTD is never fetched, nesting is bounded.
 */

export type OpmlFeed = {
  url: string;
  title: string | null;
  /** The site (htmlUrl), when given. */
  siteUrl: string | null;
  language: string | null;
  /** Names of the enclosing folders, outermost first, joined with " / "; null at top level. */
  category: string | null;
};

export type OpmlDocument = { title: string | null; feeds: OpmlFeed[]; warnings: string[] };

export class OpmlError extends Error {
  readonly code = 'OPML_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'OpmlError';
  }
}

/** Outline attributes are case-insensitive in practice (xmlUrl, xmlurl, XMLURL all occur). */
function outlineAttr(element: XmlElement, name: string): string | null {
  const lower = name.toLowerCase();
  const found = element.attrs.find((a) => a.ns === null && a.local.toLowerCase() === lower);
  const value = found?.value.trim();
  return value ? value : null;
}

function httpUrl(raw: string): string | null {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * The feeds of an OPML document, in document order, each URL once (the first outline wins).
 * Outlines without xmlUrl are folders; an xmlUrl that is not an absolute http(s) URL is skipped
 * with a warning. Throws OpmlError when the document is not OPML at all.
 */
export function parseOpml(input: Buffer | string, opts: { contentType?: string | null } = {}): OpmlDocument {
  const warnings: string[] = [];
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    const decoded = decodeFeedBytes(input, { contentType: opts.contentType ?? null });
    warnings.push(...decoded.warnings);
    text = decoded.text;
  }
  text = text.replace(/^\uFEFF/, '');
  let root: XmlElement | null;
  try {
    const doc = parseXml(text, { baseUrl: 'about:blank', maxDepth: 64 });
    warnings.push(...doc.errors.map((e) => `XML not well-formed: ${e}`));
    root = doc.root;
  } catch (error) {
    if (error instanceof FeedParseError) throw new OpmlError(error.message);
    throw error;
  }
  if (!root || root.local.toLowerCase() !== 'opml')
    throw new OpmlError(`not an OPML document (root element ${root ? `<${root.name}>` : 'missing'})`);
  const head = childElements(root).find((e) => e.local === 'head');
  const titleElement = head && childElements(head).find((e) => e.local === 'title');
  const title = titleElement
    ? titleElement.children
        .filter((c) => typeof c === 'string')
        .join('')
        .trim() || null
    : null;
  const body = childElements(root).find((e) => e.local === 'body');
  if (!body) throw new OpmlError('OPML document has no <body>');

  const feeds: OpmlFeed[] = [];
  const seen = new Set<string>();
  // Depth-first, iteratively, in document order; each frame carries its folder path.
  const stack: { element: XmlElement; folders: string[] }[] = childElements(body)
    .reverse()
    .map((element) => ({ element, folders: [] }));
  while (stack.length > 0) {
    const { element, folders } = stack.pop()!;
    if (element.local !== 'outline') continue;
    const label = outlineAttr(element, 'title') ?? outlineAttr(element, 'text');
    const xmlUrl = outlineAttr(element, 'xmlUrl');
    if (xmlUrl) {
      const url = httpUrl(xmlUrl);
      if (!url)
        warnings.push(
          `outline "${label ?? xmlUrl}": xmlUrl ${xmlUrl} is not an absolute http(s) URL, skipped`,
        );
      else if (seen.has(url)) warnings.push(`outline "${label ?? url}": ${url} listed twice, first kept`);
      else {
        seen.add(url);
        const siteUrl = outlineAttr(element, 'htmlUrl');
        feeds.push({
          url,
          title: label,
          siteUrl: siteUrl ? httpUrl(siteUrl) : null,
          language: outlineAttr(element, 'language'),
          category: folders.length > 0 ? folders.join(' / ') : null,
        });
      }
    }
    const inner = xmlUrl ? folders : label ? [...folders, label] : folders;
    const children = childElements(element);
    for (let i = children.length - 1; i >= 0; i--) stack.push({ element: children[i]!, folders: inner });
  }
  return { title, feeds, warnings };
}

function escapeXml(text: string): string {
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      // eslint-disable-next-line no-control-regex -- XML 1.0 forbids these characters: removed, as they cannot be escaped
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
  );
}

/** OPML 2.0 with one `type="rss"` outline per feed, folders from `category`, in the given order. */
export function serializeOpml(input: {
  title: string;
  dateCreated: Date;
  feeds: readonly OpmlFeed[];
}): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<opml version="2.0">',
    '  <head>',
    `    <title>${escapeXml(input.title)}</title>`,
    `    <dateCreated>${input.dateCreated.toUTCString()}</dateCreated>`,
    '  </head>',
    '  <body>',
  ];
  const outline = (feed: OpmlFeed, indent: string) => {
    const attrs: [string, string | null][] = [
      ['type', 'rss'],
      ['text', feed.title ?? feed.url],
      ['title', feed.title ?? feed.url],
      ['xmlUrl', feed.url],
      ['htmlUrl', feed.siteUrl],
      ['language', feed.language],
    ];
    const rendered = attrs
      .filter((pair): pair is [string, string] => pair[1] !== null)
      .map(([name, value]) => `${name}="${escapeXml(value)}"`)
      .join(' ');
    lines.push(`${indent}<outline ${rendered}/>`);
  };
  const folders = new Map<string, OpmlFeed[]>();
  for (const feed of input.feeds) {
    const key = feed.category ?? '';
    folders.set(key, [...(folders.get(key) ?? []), feed]);
  }
  for (const [category, feeds] of folders) {
    if (category === '') {
      for (const feed of feeds) outline(feed, '    ');
      continue;
    }
    const name = escapeXml(category);
    lines.push(`    <outline text="${name}" title="${name}">`);
    for (const feed of feeds) outline(feed, '      ');
    lines.push('    </outline>');
  }
  lines.push('  </body>', '</opml>', '');
  return lines.join('\n');
}
