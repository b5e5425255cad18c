import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeHTML } from 'entities';
import Parser from 'rss-parser';
import { type FeedCorpusEntry, feedCorpusDir, readFeedCorpusManifest } from '@diplowatch/testing';
import { parseFeedSync } from './parse-feed';

/*
 * A second opinion on the benign feeds of shared/corpus/feeds: rss-parser (the parser DESIGN.md
 * names, a devDependency, used here only) must find the same items, with the same titles and
 * links, as our own parser (xml-document.ts says why the ingester does not use rss-parser).
 *
 * rss-parser only ever sees documents the manifest expects to parse, in RSS or Atom, that
 * declare no DOCTYPE (so no entity declarations at all), and that are UTF-8 with no other
 * encoding declared: it is handed a string, and cannot decode anything else (DESIGN.md).
 */

/** Where the two disagree on purpose, and why. Each must still disagree (the list stays honest). */
const KNOWN_DIFFERENCES: Record<string, { field: 'title' | 'link'; why: string }> = {
  'feedjira__pet_atom.xml': {
    field: 'title',
    why: 'an Atom type="xhtml" title: rss-parser gives "", ours reads the XHTML div',
  },
  'feedsmith__atom-03.xml': {
    field: 'link',
    why: 'relative links under xml:base: ours resolves them against it, rss-parser leaves them relative',
  },
  'simplepie__feed_rss-2.0_for_file_mock.xml': {
    field: 'title',
    why: 'the feed itself holds double-encoded UTF-8 (FÃ³rmula): ours repairs the mojibake',
  },
};

const entries = readFeedCorpusManifest();

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** The document as a string when rss-parser may see it, else null. */
function benignText(entry: FeedCorpusEntry): string | null {
  if (entry.expect !== 'parse' || !['rss2', 'rss1', 'atom'].includes(entry.format)) return null;
  const body = readFileSync(join(feedCorpusDir, entry.file));
  if (body.includes(0)) return null; // UTF-16/32
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return null;
  }
  if (/<!DOCTYPE/i.test(text)) return null;
  const declared = /^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/i.exec(text)?.[1];
  if (declared && !/^utf-?8$/i.test(declared)) return null;
  return text;
}

const candidates = entries.flatMap((entry) => {
  const text = benignText(entry);
  return text === null ? [] : [{ entry, text }];
});

const feedUrl = 'https://feeds.example.org/feed.xml';
/** rss-parser keeps markup and entities in titles; ours gives clean text. Compare the text. */
const titleText = (title: unknown): string => {
  const raw =
    typeof title === 'string'
      ? title
      : title && typeof title === 'object'
        ? String((title as any)._ ?? '')
        : '';
  return decodeHTML(raw.replace(/<[^>]*>/g, ''))
    .replace(/\s+/g, ' ')
    .trim();
};

describe('rss-parser and our parser agree on the benign corpus feeds', () => {
  it('has enough of them to mean something', () => {
    expect(candidates.length).toBeGreaterThanOrEqual(50);
  });

  it.each(candidates.map(({ entry, text }) => [entry.file, entry, text] as const))(
    '%s',
    async (file, entry, text) => {
      const ours = parseFeedSync(Buffer.from(text, 'utf8'), { feedUrl });
      const theirs = await new Parser().parseString(text);
      expect(ours.items).toHaveLength(entry.items!);
      expect(theirs.items).toHaveLength(entry.items!);

      const titles = ours.items.map((item) => item.title);
      const theirTitles = theirs.items.map((item) => titleText(item.title));
      // Where rss-parser finds a link, it is ours, once made absolute (it resolves nothing itself).
      const links = ours.items.map((item, i) => (theirs.items[i]?.link ? item.link : null));
      const theirLinks = theirs.items.map((item) => (item.link ? new URL(item.link, feedUrl).href : null));
      const known = KNOWN_DIFFERENCES[file];
      if (known?.field === 'title') expect(theirTitles).not.toEqual(titles);
      else expect(theirTitles).toEqual(titles);
      if (known?.field === 'link') expect(theirLinks).not.toEqual(links);
      else expect(theirLinks).toEqual(links);
    },
  );
});
