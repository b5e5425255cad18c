import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { articleIngestedV1 } from '@diplowatch/contracts';
import { type FeedCorpusEntry, feedCorpusDir, readFeedCorpusManifest } from '@diplowatch/testing';
import { articleIdentity, dedupeItems, toArticleIngested } from '../articles';
import { checkFeedBody, type FeedCheck, type ParsedFeed } from '.';

/*
 * Walks shared/corpus/feeds/MANIFEST.jsonl: every real-world document must be parsed with the
 * stated item count, salvaged (items + flagged), or rejected with a typed FeedParseError.
 *
 * Where the manifest's notes name an alternative outcome as acceptable, the test accepts
 * exactly that alternative and no other, and the list below says which and why:
 */
const ACCEPTED_ALTERNATIVES: Record<string, { outcome: 'reject' | 'salvage'; why: string }> = {
  // Our policy refuses every DOCTYPE that declares entities (parse-feed.ts); the notes allow it.
  'feedparser__entity_in_doctype.xml': {
    outcome: 'reject',
    why: 'internal entity declared: DTD-refusing policy (notes: "state the policy")',
  },
  'feedparser__doctype_contains_entity_decl.xml': {
    outcome: 'reject',
    why: 'external parameter entity declared (notes: "a parser that refuses DTDs entirely should reject with a clear error")',
  },
  // Lenient recovery with the error reported: the notes call these acceptable.
  'feedvalidator__missing_namespace.xml': {
    outcome: 'salvage',
    why: 'unbound dc: prefix recovered and reported',
  },
  'feedvalidator__rss91u_entity.xml': {
    outcome: 'salvage',
    why: '&uuml; decoded as HTML and reported (feedparser salvages 1 item)',
  },
  'feedvalidator__xml_declares_wrong_encoding.xml': {
    outcome: 'salvage',
    why: 'decoded as windows-1252 and flagged',
  },
  'feedvalidator__xml_utf-8_bom_with_ascii_declaration.xml': {
    outcome: 'salvage',
    why: 'the BOM wins, conflict reported',
  },
  // Truncated mid-item: "0 or 1 (empty) item acceptable", a clear error also acceptable.
  'feedparser__rss_incomplete_cdata.xml': {
    outcome: 'reject',
    why: 'truncated inside the channel with no complete item',
  },
};

const entries = readFeedCorpusManifest();

const feedUrl = 'https://feeds.example.org/feed.xml';
const fetchedAt = new Date('2026-11-01T00:00:00Z');

type Outcome =
  | { kind: 'parsed'; check: FeedCheck; feed: ParsedFeed; ms: number }
  | { kind: 'rejected'; check: FeedCheck | null; error: unknown; ms: number };

// The same function the ingester's poller, `npm run feed:check` and the API's "add feed" use.
async function run(file: string): Promise<Outcome> {
  const body = readFileSync(join(feedCorpusDir, file));
  const started = performance.now();
  try {
    const check = checkFeedBody(body, { feedUrl });
    const ms = performance.now() - started;
    return check.feed
      ? { kind: 'parsed', check, feed: check.feed, ms }
      : { kind: 'rejected', check, error: check.error, ms };
  } catch (error) {
    return { kind: 'rejected', check: null, error, ms: performance.now() - started };
  }
}

const results: { file: string; ok: boolean; detail: string }[] = [];

function describeOutcome(outcome: Outcome): string {
  if (outcome.kind === 'rejected') {
    return outcome.check ? `rejected ${outcome.check.error}` : `CRASHED ${String(outcome.error)}`;
  }
  return `parsed ${outcome.feed.format} items=${outcome.feed.items.length} salvaged=${outcome.feed.salvaged}`;
}

function judge(entry: FeedCorpusEntry, outcome: Outcome): boolean {
  const alternative = ACCEPTED_ALTERNATIVES[entry.file];
  const expect = alternative?.outcome ?? entry.expect;
  if (outcome.kind === 'rejected') {
    return expect === 'reject' && outcome.check !== null;
  }
  const { feed } = outcome;
  if (expect === 'reject') return false;
  if (outcome.check.outcome !== (feed.salvaged ? 'salvaged' : 'parsed')) return false;
  if (expect === 'parse')
    return !feed.salvaged && feed.items.length === entry.items && feed.format === entry.format;
  // salvage: flagged, with the stated number of items (or what the notes allow for the alternative).
  if (!feed.salvaged || feed.warnings.length === 0) return false;
  if (alternative)
    return entry.file === 'feedvalidator__rss91u_entity.xml'
      ? feed.items.length <= 1
      : feed.items.length === 0;
  return entry.items === null || feed.items.length === entry.items;
}

const describeCorpus = entries.length > 0 ? describe : describe.skip;
if (entries.length === 0) {
  console.warn(`feed corpus not found at ${feedCorpusDir}: corpus tests skipped`);
}

describeCorpus('parseFeed over the feed corpus (shared/corpus/feeds)', () => {
  afterAll(() => {
    const passed = results.filter((r) => r.ok).length;
    const failed = results.filter((r) => !r.ok);
    console.log(
      [
        `feed corpus: ${passed} of ${results.length} documents meet the manifest`,
        ...failed.map((f) => `  FAIL ${f.file}: ${f.detail}`),
      ].join('\n'),
    );
  });

  it.each(entries.map((e) => [e.file, e] as const))('%s', async (_file, entry) => {
    const outcome = await run(entry.file);
    const ok = judge(entry, outcome);
    results.push({
      file: entry.file,
      ok,
      detail: `expected ${entry.expect} ${entry.items ?? '?'}; ${describeOutcome(outcome)}`,
    });
    expect({ file: entry.file, outcome: describeOutcome(outcome), ok }).toEqual({
      file: entry.file,
      outcome: describeOutcome(outcome),
      ok: true,
    });
    // Hostile documents must fail fast; everything must stay well inside a poll's budget.
    expect(outcome.ms).toBeLessThan(entry.expect === 'reject' ? 1000 : 10_000);
    if (outcome.kind === 'parsed') {
      for (const item of outcome.feed.items) {
        const data = toArticleIngested(item, { feedUrl, fetchedAt });
        const parsed = articleIngestedV1.safeParse(data);
        expect(parsed.success ? 'valid' : parsed.error.message).toBe('valid');
      }
    }
  });
});

/** What the manifest's notes (and the source suites) say particular documents must yield. */
const GOLDEN: Record<string, (feed: ParsedFeed) => void> = {
  'feedvalidator__everything.xml': (feed) => {
    const at = (t: string) => `2006-02-09T${t}.000Z`;
    const expected = Array<string>(30).fill(at('23:59:45'));
    expected[3] = at('23:59:00');
    expected[5] = '1996-02-09T23:59:45.000Z';
    expected[26] = '1806-02-09T23:59:45.000Z';
    expected[27] = '1906-02-09T23:59:45.000Z';
    expected[28] = '2016-02-09T23:59:45.000Z';
    expected[29] = '2106-02-09T23:59:45.000Z';
    expect(feed.items.map((i) => i.publishedAt)).toEqual(expected);
  },
  'feedjira__InvalidDateFormat.xml': (feed) =>
    expect(feed.items[0]!.publishedAt).toBe('2017-10-16T15:10:00.000Z'),
  'feedrs__rss_2.0_dbengines.xml': (feed) => {
    expect(feed.items[0]!.publishedAt).toBe('2023-01-03T15:00:00.000Z');
    expect(feed.items[0]!.text).toContain('\u00a0');
  },
  'feedvalidator__published_no_t.xml': (feed) =>
    expect(feed.items[0]!.publishedAt).toBe('2003-07-01T06:55:07.000Z'),
  'rome__dublin-core-date.xml': (feed) => {
    expect(feed.items[0]!.publishedAt).toBe('1970-01-01T00:00:00.000Z');
    expect(articleIdentity(feed.items[0]!, feedUrl).rule).toBe('content');
  },
  'rssparser__uolNoticias.rss': (feed) => {
    expect(feed.items[0]!.title).toContain('simulações');
    expect(feed.items[0]!.publishedAt).toBe('2018-09-24T22:42:40.000Z');
  },
  'feedjira__Permalinks.xml': (feed) =>
    expect(feed.items.map((i) => i.link)).toEqual([
      null,
      'http://example.com/2',
      'http://example.com/3',
      'http://example.com/4',
    ]),
  'nodefeedparser__guid-dupes.xml': (feed) =>
    expect(feed.items[0]).toMatchObject({
      guid: 'http://www.braingle.com/50366.html',
      guidIsPermalink: true,
    }),
  'nodefeedparser__rss-with-relative-urls.xml': (feed) =>
    expect(feed.items[0]!.link).toMatch(
      /^https:\/\/feeds\.example\.org\/en\/games\/neverwinter\/news\/detail\//,
    ),
  'nodefeedparser__tpm-with-empty-base.atom': (feed) =>
    expect(feed.items.every((i) => i.link?.startsWith('https://feeds.example.org/'))).toBe(true),
  'feedparser__entry_content_xml_base_inherit_4.xml': (feed) =>
    expect(feed.items[0]!.contentBaseUrl).toBe('http://example.com/parent/'),
  'feedrs__atom_xml_base.xml': (feed) => {
    const data = toArticleIngested(feed.items[0]!, { feedUrl, fetchedAt });
    expect(data.rawContent).toContain('src="https://numi.st/post/2022/travel-uke/IMG_1232.jpeg"');
  },
  'feedparser__demoronize-1.xml': (feed) => expect(feed.items[0]!.text).toBe('don\u2019t'),
  'feedparser__double-encoded-html.xml': (feed) => expect(feed.items[0]!.text).toBe('\u2026'),
  'feedparser__entry_content_base64.xml': (feed) =>
    expect(feed.items[0]!.rawContent).toBe('Example <b>Atom</b>'),
  'feedparser__entry_content_inline_markup.xml': (feed) =>
    expect(feed.items[0]!.rawContent).toBe('Example <b>Atom</b>'),
  'feedparser__entry_content_script.xml': (feed) => expect(feed.items[0]!.text).toBe('safe description'),
  'feedparser__entry_content_crazy.xml': (feed) => {
    expect(feed.items[0]!.text).not.toMatch(/executeMe|alert|am_i_javascript/);
    expect(feed.items[0]!.text).toContain('Did The Javascript Execute?');
  },
  'feedparser__rss2.0noNSwithModulesLocalNameClash.xml': (feed) =>
    expect(feed.items[0]!.text).toBe('correct description'),
  'feedparser__rss090_item_title.xml': (feed) => expect(feed.items[0]!.title).toBe('Item title'),
  'nodefeedparser__nondefaultnamespace-xhtml.atom': (feed) => {
    expect(feed.items[0]!.rawContent).toContain('<ul>');
    expect(feed.items[0]!.rawContent).not.toContain('h:');
  },
  'feedjira__AtomEscapedHTMLInPreTag.xml': (feed) =>
    expect(feed.items[0]!.rawContent).toContain('<pre>&lt;b&gt;test&lt;b&gt;</pre>'),
  'miniflux__encoding_ISO-8859-1.xml': (feed) =>
    expect(feed.items[5]!.title).toBe('Projekt Jedi: Microsoft will weiter mit US-Militär zusammenarbeiten'),
  'miniflux__encoding_WINDOWS-1251.xml': (feed) => expect(feed.items[0]!.title).toBe('Цитата #17703'),
  'miniflux__urdu_UTF8.xml': (feed) =>
    expect(feed.items[0]!.title.startsWith('امریکی عسکری امداد')).toBe(true),
  'miniflux__no_encoding_ISO-8859-1.xml': (feed) =>
    expect(feed.items[2]!.title).toBe("La criminalité liée surtout à... l'ennui ?"),
  'miniflux__utf8-incorrect-prolog.xml': (feed) => expect(feed.items[0]!.title).toBe('Café'),
  'miniflux__invalid-prolog.xml': (feed) => expect(feed.items[0]!.title).toBe('Café'),
  'laminas__laut.de-rdf.xml': (feed) =>
    expect(feed.items.some((i) => /[äöüÄÖÜ]/.test(i.title + i.text))).toBe(true),
  'feedparser__koi8r.xml': (feed) => expect(feed.items[0]!.title).toBe('Как пережить новогоднюю ночь'),
  'feedparser__gb2312.xml': (feed) => expect(feed.items[0]!.title).toBe('不归移民漫画系列：专业工作'),
  'feedvalidator__xml_bad_encoding_declaration.xml': (feed) =>
    expect(feed.items[0]!.text).toBe('This is a £\u201ctest.\u201d'),
  'gofeed__issue_305_bare_ampersand.xml': (feed) => expect(feed.title).toBe('Fish & Chips & more <3'),
  'feedparser__doesnotexist.xml': (feed) => expect(feed.title).toBe('testing &doesnotexist; entity'),
  'nodefeedparser__saxerror.xml': (feed) =>
    expect(feed.items.map((i) => i.title)).toEqual(['Good Item', 'Bad Item', 'Item After Error']),
  'feedparser__always_strip_doctype.xml': (feed) => expect(feed.title).toBe('found'),
  'gofeed__rss_feed_leading_spaces.xml': (feed) => expect(feed.title).toBe('Feed Title'),
  'gofeed__version_rss_091_netscape.xml': (feed) => expect(feed.version).toBe('0.91'),
  'rssparser__many-links.rss': (feed) => expect(feed.format).toBe('atom'),
  'jfvalidator__schema-index.json': (feed) => {
    expect(feed.items[0]).toMatchObject({ guid: null, link: 'https://example.org/second-item' });
    expect(articleIdentity(feed.items[0]!, feedUrl).rule).toBe('url');
  },
  'jfvalidator__id-unique-index.json': (feed) => expect(dedupeItems(feed.items, feedUrl).dropped).toBe(1),
  'feedvalidator__duplicate-entries-all.xml': (feed) =>
    expect(dedupeItems(feed.items, feedUrl).items).toHaveLength(1),
  'gofeed__version_json_11_deprecated_author.json': (feed) =>
    expect(feed.items[0]!.author).toBe('author_name'),
  'feedrs__jsonfeed_elastic_1.1.json': (feed) => expect(feed.title).toBe('Blog \u2013 InfluxData'),
  'feedparser__example.json': (feed) => expect(feed.title).toBe('My Example Feed'),
  'rome__CDATATestFeed.xml': (feed) => expect(feed.items[0]!.guid).toContain('&paytype=ppv'),
  'rssparser__missing-fields.atom': (feed) =>
    expect(feed.items[0]).toMatchObject({ title: '', link: null, publishedAt: null }),
  'feedvalidator__rss91u_entity.xml': (feed) => expect(feed.items[0]!.title).toBe('Und tschüss.'),
};

describeCorpus('parseFeed over the feed corpus: what the notes require', () => {
  it.each(Object.keys(GOLDEN))('%s', async (file) => {
    const outcome = await run(file);
    if (outcome.kind !== 'parsed') throw new Error(describeOutcome(outcome));
    GOLDEN[file]!(outcome.feed);
  });
});
