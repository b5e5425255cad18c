import { type NewsEvent } from '@diplowatch/contracts';
import { type FeedItem, type ParsedFeed, parseFeedSync } from '@diplowatch/domain';
import { ArticlePublisher, PublishFailedError } from './article-publisher';
import { KnownItems } from './known-items';
import { type SeenArticle, type SeenStore, type StoredArticle } from './seen-articles.store';

class MemorySeen implements SeenStore {
  readonly records = new Map<string, StoredArticle>();
  /** Called before each put: lets a test simulate another replica writing in between. */
  beforePut: ((articleId: string) => void) | null = null;

  knownUnchanged(articleId: string, itemHash: string, feed: string): boolean {
    // As SeenArticles: only the first 32 characters of the id and 16 of the hash count (what
    // KnownItems remembers).
    for (const [id, record] of this.records) {
      if (!id.startsWith(articleId.slice(0, 32))) continue;
      const known = record.sources === null ? record.itemHash : record.sources[feed];
      return known !== undefined && known.slice(0, 16) === itemHash.slice(0, 16);
    }
    return false;
  }
  async get(articleId: string) {
    return this.records.get(articleId) ?? null;
  }
  async put(articleId: string, next: SeenArticle, previous: StoredArticle | null) {
    this.beforePut?.(articleId);
    const current = this.records.get(articleId) ?? null;
    if ((current?.revision ?? null) !== (previous?.revision ?? null)) return false;
    this.records.set(articleId, { ...next, revision: (current?.revision ?? 0) + 1 });
    return true;
  }
}

const record = (): StoredArticle => ({ itemHash: 'x', contentHash: 'x', sources: {}, revision: 0 });

const item = (overrides: Partial<FeedItem> = {}): FeedItem => ({
  guid: 'https://news.example.org/shoigu-jakarta',
  guidIsPermalink: true,
  link: 'https://news.example.org/shoigu-jakarta',
  title: 'Shoigu arrives in Jakarta',
  text: 'Russian defence minister Sergei Shoigu arrived in Jakarta.',
  rawContent: null,
  contentBaseUrl: 'https://news.example.org/',
  author: null,
  publishedAt: '2024-02-24T01:00:00.000Z',
  updatedAt: null,
  language: 'en',
  ...overrides,
});

const doc = (items: FeedItem[]): ParsedFeed => ({
  format: 'rss2',
  version: '2.0',
  title: 't',
  link: null,
  language: 'en',
  items,
  warnings: [],
  salvaged: false,
  encoding: 'utf-8',
  known: [],
  itemKeys: null,
});

const feedA = { url: 'https://a.example.org/rss', language: null, fetchFullText: false };
const feedB = { url: 'https://b.example.org/feed', language: null, fetchFullText: false };
const at = new Date('2026-11-01T00:00:00Z');

function setup(
  options: {
    fetchMainText?: (url: string) => Promise<{ title: string; text: string; html: string } | null>;
    knownItems?: KnownItems;
  } = {},
) {
  const seen = new MemorySeen();
  const events: NewsEvent[] = [];
  let failPublish = false;
  const publisher = new ArticlePublisher({
    seen,
    publish: async (event) => {
      if (failPublish) throw new Error('no responders');
      events.push(event);
      return { seq: events.length, duplicate: false };
    },
    fetchMainText: options.fetchMainText,
    knownItems: options.knownItems,
  });
  return { seen, events, publisher, failPublishing: () => (failPublish = true) };
}

describe('ArticlePublisher', () => {
  describe('given a new article', () => {
    it('publishes one ArticleIngested, and nothing when the feed repeats it', async () => {
      const { events, publisher } = setup();
      expect(await publisher.publishFeed(feedA, doc([item()]), at)).toMatchObject({
        published: 1,
        sourcesAdded: 0,
      });
      expect(await publisher.publishFeed(feedA, doc([item()]), at)).toMatchObject({
        published: 0,
        sourcesAdded: 0,
      });
      expect(events.map((e) => e.type)).toEqual(['ArticleIngested']);
    });
  });

  describe('when the same article appears in a second feed', () => {
    it('publishes ArticleSourceAdded once: one article, two sources', async () => {
      const { events, publisher } = setup();
      await publisher.publishFeed(feedA, doc([item()]), at);
      await publisher.publishFeed(
        feedB,
        doc([item({ link: 'https://news.example.org/shoigu-jakarta?utm_source=b' })]),
        at,
      );
      await publisher.publishFeed(feedB, doc([item()]), at);
      expect(events.map((e) => e.type)).toEqual(['ArticleIngested', 'ArticleSourceAdded']);
      const [ingested, added] = events;
      expect(added!.data).toMatchObject({
        articleId: (ingested!.data as { articleId: string }).articleId,
        feedUrl: feedB.url,
        contentHash: (ingested!.data as { contentHash: string }).contentHash,
      });
    });

    it('does not flip-flop revisions when the two feeds word it differently', async () => {
      const { events, publisher } = setup();
      for (let round = 0; round < 3; round++) {
        await publisher.publishFeed(feedA, doc([item({ text: 'short summary' })]), at);
        await publisher.publishFeed(feedB, doc([item({ text: 'a longer summary of the same article' })]), at);
      }
      expect(events.map((e) => e.type)).toEqual(['ArticleIngested', 'ArticleSourceAdded']);
    });
  });

  describe('when a feed changes an article it carries', () => {
    it('republishes it as a revision of the same article', async () => {
      const { events, publisher } = setup();
      await publisher.publishFeed(feedA, doc([item()]), at);
      await publisher.publishFeed(feedA, doc([item({ title: 'Shoigu arrives in Jakarta (updated)' })]), at);
      expect(events.map((e) => e.type)).toEqual(['ArticleIngested', 'ArticleIngested']);
      const [first, second] = events.map((e) => e.data as { articleId: string; contentHash: string });
      expect(second!.articleId).toBe(first!.articleId);
      expect(second!.contentHash).not.toBe(first!.contentHash);
    });
  });

  describe('when another replica writes the record in between', () => {
    it('re-reads and announces its feed as a source instead of losing it', async () => {
      const { seen, events, publisher } = setup();
      const other = setup();
      await other.publisher.publishFeed(feedA, doc([item()]), at);
      const [articleId, record] = [...other.seen.records.entries()][0]!;
      // Replica 2 (feed B) read nothing, published, and before its write replica 1's record lands.
      seen.beforePut = (id) => {
        if (id === articleId && !seen.records.has(id)) seen.records.set(id, record);
        seen.beforePut = null;
      };
      const report = await publisher.publishFeed(feedB, doc([item()]), at);
      expect(report.itemErrors).toEqual([]);
      expect(report).toMatchObject({ published: 0, sourcesAdded: 1 });
      expect(events.map((e) => e.type)).toEqual(['ArticleIngested', 'ArticleSourceAdded']);
    });
  });

  describe('when one item of a document fails', () => {
    it('skips that item and publishes the others', async () => {
      const { seen, events, publisher } = setup();
      await publisher.publishFeed(
        feedA,
        doc([item({ guid: 'https://news.example.org/warmup', link: null })]),
        at,
      );
      const badId = [...seen.records.keys()][0]!;
      seen.records.clear();
      events.length = 0;
      // Another replica rewrites this one record before every write: the compare-and-set never
      // wins, and the item is left for the next poll.
      seen.beforePut = (id) => {
        const current = seen.records.get(id);
        if (id === badId)
          seen.records.set(id, { ...(current ?? record()), revision: (current?.revision ?? 0) + 1 });
      };
      const report = await publisher.publishFeed(
        feedA,
        doc([
          item({ guid: 'https://news.example.org/1', link: null }),
          item({ guid: 'https://news.example.org/warmup', link: null, title: 'changed' }),
          item({ guid: 'https://news.example.org/2', link: null }),
        ]),
        at,
      );
      expect(report.published).toBe(2);
      expect(report.itemErrors).toEqual([
        { index: 1, message: expect.stringMatching(/kept changing under concurrent pollers/) },
      ]);
    });
  });

  describe('when the KV record of what was published cannot be read or written', () => {
    const three = () =>
      doc(
        [1, 2, 3].map((n) =>
          item({ guid: `https://news.example.org/kv-${n}`, link: null, title: `story ${n}` }),
        ),
      );

    it('stops the document like a failed publish, and a retry after the outage loses nothing', async () => {
      const { seen, events, publisher } = setup();
      let kvDown = true;
      const get = seen.get.bind(seen);
      let reads = 0;
      // The first read answers, then KV goes away mid-document.
      seen.get = async (articleId) => {
        if (kvDown && reads++ >= 1) throw new Error('TIMEOUT');
        return get(articleId);
      };
      const failed = publisher.publishFeed(feedA, three(), at);
      await expect(failed).rejects.toBeInstanceOf(PublishFailedError);
      await expect(failed).rejects.toMatchObject({
        code: 'seen_state_failed',
        message: expect.stringMatching(/seen-articles record failed: TIMEOUT/),
      });
      // What was published before the outage is recorded; nothing else is marked.
      expect(seen.records.size).toBeLessThanOrEqual(events.length);

      kvDown = false;
      const report = await publisher.publishFeed(feedA, three(), at);
      expect(report.itemErrors).toEqual([]);
      const titles = new Set(events.map((e) => (e.data as { title: string }).title));
      expect([...titles].sort()).toEqual(['story 1', 'story 2', 'story 3']);
      expect(seen.records.size).toBe(3);
    });

    it('treats a failed write the same way', async () => {
      const { seen, publisher } = setup();
      seen.put = () => Promise.reject(new Error('connection closed'));
      await expect(publisher.publishFeed(feedA, three(), at)).rejects.toMatchObject({
        code: 'seen_state_failed',
      });
    });
  });

  describe('when the log cannot be reached', () => {
    it('stops the document with PublishFailedError and marks nothing', async () => {
      const { seen, publisher, failPublishing } = setup();
      failPublishing();
      await expect(publisher.publishFeed(feedA, doc([item()]), at)).rejects.toBeInstanceOf(
        PublishFailedError,
      );
      expect(seen.records.size).toBe(0);
    });
  });

  describe('given a feed with fetchFullText', () => {
    const full = 'The full article text. '.repeat(40);

    it('publishes the page text, keeps the feed markup, and is not refetched while the item is unchanged', async () => {
      let fetches = 0;
      const { events, publisher } = setup({
        fetchMainText: async () => {
          fetches++;
          return { title: 'x', text: full, html: `<p>${full}</p>` };
        },
      });
      const feed = { ...feedA, fetchFullText: true };
      await publisher.publishFeed(feed, doc([item({ rawContent: '<p>summary</p>' })]), at);
      await publisher.publishFeed(feed, doc([item({ rawContent: '<p>summary</p>' })]), at);
      expect(fetches).toBe(1);
      expect(events).toHaveLength(1);
      expect(events[0]!.data).toMatchObject({ text: full, rawContent: '<p>summary</p>' });
    });

    it('falls back to the feed text when the page fails', async () => {
      const { events, publisher } = setup({ fetchMainText: () => Promise.reject(new Error('timeout')) });
      const report = await publisher.publishFeed({ ...feedA, fetchFullText: true }, doc([item()]), at);
      expect(report.fullText).toEqual({ extracted: 0, failed: 1 });
      expect(events[0]!.data).toMatchObject({ text: item().text });
    });
  });

  describe('given items it knows by their markup (KnownItems)', () => {
    const rssItem = (n: number, text = `Body ${n}`) =>
      `<item><title>Story ${n}</title><link>https://news.example.org/${n}?utm_source=rss</link>` +
      `<description>${text}</description><pubDate>Mon, 0${n} Jan 2024 10:00:00 GMT</pubDate></item>`;
    const rss = (items: string) =>
      Buffer.from(
        `<rss version="2.0"><channel><title>T</title><ttl>${Math.random()}</ttl>${items}</channel></rss>`,
      );
    /** As the poller does: parse with the publisher's lookup, then publish. */
    const poll = (publisher: ArticlePublisher, feed: typeof feedA, body: Buffer) => {
      const parsed = parseFeedSync(body, {
        feedUrl: feed.url,
        knownItem: publisher.knownItemLookup(feed.url),
      });
      return publisher.publishFeed(feed, parsed, at).then((report) => ({ parsed, report }));
    };

    it('does not read repeated items again, and republishes an item whose markup changed as a revision', async () => {
      const knownItems = new KnownItems();
      const { events, publisher } = setup({ knownItems });
      await poll(publisher, feedA, rss(rssItem(1) + rssItem(2)));
      expect(knownItems.size).toBe(2);

      const { parsed, report } = await poll(
        publisher,
        feedA,
        rss(rssItem(3) + rssItem(1, 'Body 1, corrected') + rssItem(2)),
      );
      expect(parsed.items.map((i) => i.title)).toEqual(['Story 3', 'Story 1']); // item 2 not read
      expect(parsed.known.map((k) => k.index)).toEqual([2]);
      expect(report).toMatchObject({ items: 3, published: 2, itemErrors: [] });
      const data = events.map((e) => e.data as { articleId: string; title: string; text: string });
      expect(data.map((d) => d.title)).toEqual(['Story 1', 'Story 2', 'Story 3', 'Story 1']);
      expect(data[3]).toMatchObject({ articleId: data[0]!.articleId, text: 'Body 1, corrected' });
      expect(knownItems.size).toBe(3);

      // Nothing changed: nothing read, nothing published.
      const again = await poll(
        publisher,
        feedA,
        rss(rssItem(3) + rssItem(1, 'Body 1, corrected') + rssItem(2)),
      );
      expect(again.parsed.items).toEqual([]);
      expect(again.report).toMatchObject({ items: 3, published: 0 });
      expect(events).toHaveLength(4);
    });

    it('still announces a second feed as a source, and keeps the newest of two items of one article', async () => {
      const knownItems = new KnownItems();
      const { events, publisher } = setup({ knownItems });
      await poll(publisher, feedA, rss(rssItem(1)));
      await poll(publisher, feedB, rss(rssItem(1)));
      await poll(publisher, feedB, rss(rssItem(1)));
      expect(events.map((e) => e.type)).toEqual(['ArticleIngested', 'ArticleSourceAdded']);

      // An older copy of item 1 (known) beside a newer one: the newer is the article's revision,
      // and the next poll (the old copy still known, the new one now too) publishes nothing.
      const newer = rssItem(1, 'Body 1, updated').replace('Mon, 01 Jan', 'Tue, 09 Jan');
      await poll(publisher, feedA, rss(rssItem(1) + newer));
      await poll(publisher, feedA, rss(rssItem(1) + newer));
      expect(events.map((e) => e.type)).toEqual(['ArticleIngested', 'ArticleSourceAdded', 'ArticleIngested']);
      expect(events[2]!.data).toMatchObject({ text: 'Body 1, updated' });
    });

    it('forgets a feed whose document was not published in full, so the next one is read in full', async () => {
      const knownItems = new KnownItems();
      const { publisher, failPublishing } = setup({ knownItems });
      await poll(publisher, feedA, rss(rssItem(1)));
      expect(knownItems.get(feedA.url)?.size).toBe(1);
      failPublishing();
      await expect(poll(publisher, feedA, rss(rssItem(2) + rssItem(1)))).rejects.toBeInstanceOf(
        PublishFailedError,
      );
      expect(knownItems.get(feedA.url)).toBeUndefined();
    });

    it('forgets the feeds remembered longest ago beyond its bound', () => {
      const knownItems = new KnownItems(3);
      const entry = { articleId: 'a', itemHash: 'h', publishedAt: null, updatedAt: null };
      knownItems.set(
        'f1',
        new Map([
          ['k1', entry],
          ['k2', entry],
        ]),
      );
      knownItems.set('f2', new Map([['k1', entry]]));
      knownItems.set(
        'f1',
        new Map([
          ['k1', entry],
          ['k2', entry],
        ]),
      ); // f1 is now the newest
      knownItems.set('f3', new Map([['k1', entry]]));
      expect([knownItems.get('f1')?.size, knownItems.get('f2'), knownItems.get('f3')?.size]).toEqual([
        2,
        undefined,
        1,
      ]);
      expect(knownItems.size).toBe(3);
    });
  });
});
