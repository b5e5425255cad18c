import { FeedParseError } from './feed-parse-error';
import { parseFeedDate } from './feed-dates';
import { type FeedItem } from './feed-types';
import { htmlToText, looksLikeHtml, plainToText, toSingleLine } from './html-to-text';

export type JsonFeedResult = {
  version: string | null;
  title: string;
  link: string | null;
  language: string | null;
  items: FeedItem[];
  warnings: string[];
  /** The document breaks the JSON Feed spec in ways that were recovered from (missing ids, bad items). */
  structural: boolean;
};

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  return null;
}

function absoluteHttpUrl(value: unknown, base: string): string | null {
  const text = str(value);
  if (!text) return null;
  try {
    const url = new URL(text, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** JSON Feed strings are plain text by spec, yet publishers put HTML entities in them: decode those. */
function cleanLine(value: unknown): string {
  const text = str(value);
  return text ? toSingleLine(text, looksLikeHtml(text)) : '';
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** JSON Feed 1.1 `authors[]`, falling back to 1.0's deprecated singular `author`. */
function authorName(holder: Json): string | null {
  const authors: unknown[] = Array.isArray(holder.authors) ? (holder.authors as unknown[]) : [];
  for (const a of [...authors, holder.author]) {
    if (isObject(a)) {
      const name = str(a.name) ?? str(a.url);
      if (name) return toSingleLine(name, looksLikeHtml(name));
    }
  }
  return null;
}

const VERSION = /^(?:https?:\/\/jsonfeed\.org\/version\/)?(1(?:\.\d+)?)\/?$/i;

/** JSON Feed 1.0 and 1.1 (https://www.jsonfeed.org/version/1.1/). */
export function readJsonFeed(text: string, feedUrl: string): JsonFeedResult {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new FeedParseError('malformed', `invalid JSON: ${(error as Error).message}`);
  }
  if (!isObject(doc))
    throw new FeedParseError('not_a_feed', 'JSON document is not an object, so not a JSON Feed');
  const warnings: string[] = [];
  let structural = false;
  const versionMatch = typeof doc.version === 'string' ? VERSION.exec(doc.version.trim()) : null;
  if (!versionMatch) {
    if (!Array.isArray(doc.items)) {
      throw new FeedParseError(
        'not_a_feed',
        'JSON document has neither a JSON Feed version nor an items array',
      );
    }
    warnings.push(
      `JSON Feed version missing or unknown (${JSON.stringify(doc.version ?? null)}); read as 1.1`,
    );
    structural = true;
  }
  if (!Array.isArray(doc.items)) {
    warnings.push('JSON Feed has no items array');
    structural = true;
  }
  const rawItems: unknown[] = Array.isArray(doc.items) ? doc.items : [];
  const feedLanguage = str(doc.language)?.slice(0, 35) ?? null;
  const feedAuthor = authorName(doc);
  const items: FeedItem[] = [];
  let missingIds = 0;
  let notObjects = 0;
  let unreadableDates = 0;
  for (const raw of rawItems) {
    if (!isObject(raw)) {
      notObjects++;
      continue;
    }
    // Ids must be strings; numbers are coerced as the spec asks readers to do.
    const id = typeof raw.id === 'number' && Number.isFinite(raw.id) ? String(raw.id) : str(raw.id);
    if (id === null) missingIds++;
    const link = absoluteHttpUrl(raw.url, feedUrl) ?? absoluteHttpUrl(raw.external_url, feedUrl);
    const html = str(raw.content_html);
    const plain = str(raw.content_text);
    const summary = str(raw.summary);
    const rawContent = html ?? (plain ? escapeHtml(plain) : summary ? escapeHtml(summary) : null);
    const text = html ? htmlToText(html) : plainToText(plain ?? summary ?? '');
    const published = parseFeedDate(str(raw.date_published));
    const updated = parseFeedDate(str(raw.date_modified));
    if (!published && !updated && (str(raw.date_published) || str(raw.date_modified))) unreadableDates++;
    items.push({
      guid: id,
      guidIsPermalink: id !== null && link !== null && id === link,
      link,
      title: cleanLine(raw.title),
      text,
      rawContent,
      contentBaseUrl: link ?? feedUrl,
      author: authorName(raw) ?? feedAuthor,
      publishedAt: published ?? updated,
      updatedAt: updated,
      language: str(raw.language)?.slice(0, 35) ?? feedLanguage,
    });
  }
  if (missingIds > 0) {
    warnings.push(
      `${missingIds} items without the required "id" (identity falls back to the URL or content)`,
    );
    // A feed that never gives ids is consistently identified by URL: tolerated. A feed that
    // gives ids but not on every item has broken items, whose identity would change the day
    // the id appears: flagged.
    if (missingIds < items.length) structural = true;
  }
  if (notObjects > 0) {
    warnings.push(`${notObjects} items that are not objects skipped`);
    structural = true;
  }
  if (unreadableDates > 0)
    warnings.push(`${unreadableDates} items have dates that could not be read (publishedAt null)`);
  return {
    version: versionMatch ? versionMatch[1]! : null,
    title: cleanLine(doc.title),
    link: absoluteHttpUrl(doc.home_page_url, feedUrl),
    language: feedLanguage,
    items,
    warnings,
    structural,
  };
}
