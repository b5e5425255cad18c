import { checkFeedBody, FeedParseError, type KnownItemDates, parseFeed, type ParsedFeed } from '.';

const feedUrl = 'https://news.example.org/feeds/world.xml';

function parse(xml: string | Buffer, contentType?: string): Promise<ParsedFeed> {
  return parseFeed(typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml, {
    feedUrl,
    contentType: contentType ?? null,
  });
}

async function rejection(xml: string | Buffer): Promise<FeedParseError> {
  try {
    await parse(xml);
  } catch (error) {
    if (error instanceof FeedParseError) return error;
    throw error;
  }
  throw new Error('expected a FeedParseError');
}

describe('parseFeed', () => {
  describe('given an RSS 2.0 feed', () => {
    const xml = `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>World &amp; Region</title>
  <link>https://news.example.org/</link>
  <language>en-gb</language>
  <item>
    <title>Shoigu visits &lt;b&gt;Jakarta&lt;/b&gt;</title>
    <link>/2024/02/shoigu-jakarta?utm_source=rss</link>
    <guid isPermaLink="false">12345</guid>
    <description>Short summary</description>
    <content:encoded><![CDATA[<p>Russia's defence minister <b>arrived</b> in Jakarta.</p><script>alert(1)</script><p>Talks followed.</p>]]></content:encoded>
    <pubDate>Sat, 24 Feb 2024 08:00:00 +0700</pubDate>
    <dc:creator>A. Writer</dc:creator>
  </item>
  <item>
    <title>Second</title>
    <guid>https://news.example.org/2024/02/second</guid>
    <author>desk@example.org (News Desk)</author>
  </item>
</channel>
</rss>`;

    it('reads the channel and items, resolving links against the feed URL', async () => {
      const feed = await parse(xml);
      expect(feed).toMatchObject({
        format: 'rss2',
        version: '2.0',
        title: 'World & Region',
        link: 'https://news.example.org/',
        language: 'en-gb',
        salvaged: false,
      });
      expect(feed.items).toHaveLength(2);
      const [first, second] = feed.items;
      expect(first).toMatchObject({
        guid: '12345',
        guidIsPermalink: false,
        link: 'https://news.example.org/2024/02/shoigu-jakarta?utm_source=rss',
        title: 'Shoigu visits Jakarta',
        text: "Russia's defence minister arrived in Jakarta.\n\nTalks followed.",
        author: 'A. Writer',
        publishedAt: '2024-02-24T01:00:00.000Z',
        language: 'en-gb',
      });
      expect(first!.rawContent).toContain('<script>');
      // A guid without isPermaLink="false" that is a URL is the link when there is no <link>.
      expect(second).toMatchObject({
        guidIsPermalink: true,
        link: 'https://news.example.org/2024/02/second',
        author: 'News Desk',
        publishedAt: null,
      });
    });
  });

  describe('given xml:base', () => {
    it('resolves nested and empty bases against the feed URL', async () => {
      const feed = await parse(`<feed xmlns="http://www.w3.org/2005/Atom" xml:base="">
  <title>t</title>
  <entry xml:base="/blog/">
    <id>tag:example.org,2024:1</id>
    <link href="post-1.html"/>
    <link rel="enclosure" href="audio.mp3"/>
    <content type="html" xml:base="https://cdn.example.net/media/">&lt;img src="a.jpg"&gt;</content>
  </entry>
</feed>`);
      expect(feed.items[0]).toMatchObject({
        link: 'https://news.example.org/blog/post-1.html',
        contentBaseUrl: 'https://cdn.example.net/media/',
      });
    });
  });

  describe('given Atom content types', () => {
    it('serialises xhtml content without its wrapper div or prefix, and decodes base64', async () => {
      const feed =
        await parse(`<feed xmlns="http://www.w3.org/2005/Atom" xmlns:h="http://www.w3.org/1999/xhtml">
  <entry><id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <title type="xhtml"><h:div>A <h:b>bold</h:b> title</h:div></title>
    <content type="xhtml"><h:div><h:p>Example &lt;tag&gt; <h:b>Atom</h:b></h:p></h:div></content>
    <published>2024-02-24T10:00:00+07:00</published>
  </entry>
  <entry><id>tag:example.org,2024:2</id><content type="application/octet-stream">RXhhbXBsZSA8Yj5BdG9tPC9iPg==</content></entry>
</feed>`);
      expect(feed.items[0]).toMatchObject({
        title: 'A bold title',
        rawContent: '<p>Example &lt;tag&gt; <b>Atom</b></p>',
        text: 'Example <tag> Atom',
        publishedAt: '2024-02-24T03:00:00.000Z',
      });
      expect(feed.items[1]).toMatchObject({ rawContent: 'Example <b>Atom</b>', text: 'Example Atom' });
    });
  });

  describe('given a JSON Feed', () => {
    it('reads 1.1 with authors[] and entity-bearing titles', async () => {
      const feed = await parse(
        JSON.stringify({
          version: 'https://jsonfeed.org/version/1.1',
          title: 'Blog &#8211; Example',
          home_page_url: 'https://example.org/',
          language: 'en-US',
          items: [
            {
              id: 'https://example.org/a',
              url: 'https://example.org/a',
              title: 'A',
              content_html: '<p>Hello</p>',
              date_published: '2024-02-24T10:00:00Z',
              authors: [{ name: 'Ann' }],
            },
            { id: 7, content_text: 'Plain & simple', author: { name: 'Old style' } },
          ],
        }),
      );
      expect(feed).toMatchObject({
        format: 'json',
        version: '1.1',
        title: 'Blog – Example',
        language: 'en-US',
        salvaged: false,
      });
      expect(feed.items[0]).toMatchObject({
        guid: 'https://example.org/a',
        guidIsPermalink: true,
        text: 'Hello',
        author: 'Ann',
        publishedAt: '2024-02-24T10:00:00.000Z',
      });
      expect(feed.items[1]).toMatchObject({
        guid: '7',
        text: 'Plain & simple',
        rawContent: 'Plain &amp; simple',
        author: 'Old style',
        language: 'en-US',
      });
    });

    it('rejects invalid JSON and JSON that is not a feed', async () => {
      expect((await rejection('{"version": "https://jsonfeed.org/version/1", ')).code).toBe('malformed');
      expect((await rejection('{"data": [1, 2, 3]}')).code).toBe('not_a_feed');
      expect((await rejection('[1, 2]')).code).toBe('not_a_feed');
    });
  });

  describe('given hostile DTDs', () => {
    const lol = (root: string) => `<?xml version="1.0"?>
<!DOCTYPE ${root} [
 <!ENTITY lol "lol">
 ${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('\n ')}
]>
<${root}><channel><title>&lol9;</title></channel></${root}>`;

    it('refuses a feed-shaped billion laughs quickly, without expanding anything', async () => {
      const started = performance.now();
      const error = await rejection(lol('rss'));
      expect(error.code).toBe('entity_declaration');
      expect(performance.now() - started).toBeLessThan(50);
    });

    it('refuses external entities (XXE) without reading them', async () => {
      const error = await rejection(`<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>&xxe;</title></channel></rss>`);
      expect(error.code).toBe('entity_declaration');
      expect(error.message).not.toContain('root:');
    });

    it('skips a DOCTYPE that only references an external DTD (never fetched)', async () => {
      const feed = await parse(`<?xml version="1.0"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Caf&eacute;</title></channel></rss>`);
      // The Netscape DTD defines the HTML entities, so &eacute; is not an error here.
      expect(feed).toMatchObject({ title: 'Café', salvaged: false, version: '0.91' });
    });
  });

  describe('given defective XML', () => {
    it('recovers from a bare "&", undefined entities and an unbound prefix, and reports them', async () => {
      const feed =
        await parse(`<rss version="2.0"><channel><title>Fish & Chips &amp; more &nbsp;&bogus;</title>
<item><title>One</title><link>http://example.org/a?x=1&y=2</link><dc:creator>Me</dc:creator></item>
</channel></rss>`);
      expect(feed.salvaged).toBe(true);
      expect(feed.title).toBe('Fish & Chips & more \u00a0&bogus;');
      expect(feed.items[0]).toMatchObject({ link: 'http://example.org/a?x=1&y=2', author: 'Me' });
      expect(feed.warnings.join('\n')).toMatch(
        /unescaped "&"[\s\S]*undefined entity &nbsp;[\s\S]*prefix "dc"/,
      );
    });

    it('keeps complete items of a truncated document and drops the one cut off', async () => {
      const feed = await parse(`<rss version="2.0"><channel><title>t</title>
<item><title>Complete</title><guid>a</guid></item>
<item><title>Cut off</title><description>half a sent`);
      expect(feed.salvaged).toBe(true);
      expect(feed.items.map((i) => i.title)).toEqual(['Complete']);
    });

    it('rejects a truncated channel that holds no complete item', async () => {
      const error = await rejection(
        '<rss version="2.0"><channel><title>Reuters</title><!-- Exception rendering module -->',
      );
      expect(error.code).toBe('malformed');
    });

    it('salvages a feed preceded by junk text (a PHP warning)', async () => {
      const feed = await parse(
        'Warning: Cannot modify header information in feed.php on line 3\n<?xml version="1.0"?><rss version="2.0"><channel><item><title>A</title></item></channel></rss>',
      );
      expect(feed).toMatchObject({ format: 'rss2', salvaged: true });
      expect(feed.items).toHaveLength(1);
    });

    it('reads an <rss> root carrying a stray default namespace', async () => {
      const feed = await parse(
        '<rss version="2.0" xmlns="http://www.w3.org/2005/Atom"><channel><title>T</title><item><title>A</title></item></channel></rss>',
      );
      expect(feed).toMatchObject({ format: 'rss2', title: 'T' });
      expect(feed.items).toHaveLength(1);
    });

    it('ignores items nested inside items, and says so', async () => {
      const feed = await parse(
        '<rss><channel><item><title>Top</title><item><title>Nested</title></item></item></channel></rss>',
      );
      expect(feed.items.map((i) => i.title)).toEqual(['Top']);
      expect(feed.salvaged).toBe(true);
    });

    it('reads module elements by namespace, not by local name', async () => {
      const feed = await parse(`<rss version="2.0" xmlns:x="urn:x"><channel><item>
<x:description>wrong</x:description><description>correct description</description><x:title>wrong</x:title><title>right</title>
</item></channel></rss>`);
      expect(feed.items[0]).toMatchObject({ text: 'correct description', title: 'right' });
    });
  });

  describe('given something that is not a feed', () => {
    it.each([
      ['an empty body', '', 'empty'],
      ['whitespace', '  \n\t', 'empty'],
      ['only a comment', '<!-- nothing here -->\n', 'empty'],
      [
        'an HTML page',
        '<!DOCTYPE html><html><head><title>x</title></head><body><p>hi</p></body></html>',
        'not_a_feed',
      ],
      ['other XML', '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>', 'not_a_feed'],
      ['plain text', 'Service Unavailable', 'not_a_feed'],
    ])('rejects %s', async (_what, body, code) => {
      expect((await rejection(body)).code).toBe(code);
    });

    it('rejects a body over maxBytes', async () => {
      await expect(parseFeed(Buffer.alloc(2048, 0x20), { feedUrl, maxBytes: 1024 })).rejects.toMatchObject({
        code: 'too_large',
      });
    });
  });

  describe('given pathological input', () => {
    it('refuses absurd nesting instead of overflowing the stack', async () => {
      const error = await rejection(`<rss><channel>${'<a>'.repeat(100_000)}</channel></rss>`);
      expect(error.code).toBe('malformed');
    });

    it('stays linear on a text full of bare ampersands', async () => {
      const started = performance.now();
      const feed = await parse(`<rss><channel><title>${'& '.repeat(200_000)}</title></channel></rss>`);
      expect(feed.salvaged).toBe(true);
      expect(performance.now() - started).toBeLessThan(1000);
    });
  });

  describe('given a caller that knows items by their markup (knownItem)', () => {
    const rssItem = (n: number, text = `Body ${n}`) =>
      `<item><title>Story ${n}</title><link>https://news.example.org/${n}</link><dc:creator>Desk</dc:creator>` +
      `<description>${text}</description><pubDate>Mon, 0${n} Jan 2024 10:00:00 GMT</pubDate></item>`;
    const rss = (items: string, opts: { language?: string; dc?: string; base?: string } = {}) =>
      `<?xml version="1.0"?><rss version="2.0" xmlns:dc="${opts.dc ?? 'http://purl.org/dc/elements/1.1/'}">` +
      `<channel${opts.base ? ` xml:base="${opts.base}"` : ''}><title>T</title><lastBuildDate>${Math.random()}</lastBuildDate>` +
      `<language>${opts.language ?? 'en'}</language>${items}</channel></rss>`;
    const parseWith = (xml: string, knownItem: (key: string) => KnownItemDates | null) =>
      parseFeed(Buffer.from(xml), { feedUrl, knownItem });
    const keysOf = async (xml: string) => (await parseWith(xml, () => null)).itemKeys!;

    it('gives each item a key, and leaves the items it knows unread with their dates and positions', async () => {
      const first = await parseWith(rss(rssItem(1) + rssItem(2)), () => null);
      expect(first.items.map((i) => i.title)).toEqual(['Story 1', 'Story 2']);
      expect(first.itemKeys).toHaveLength(2);
      const remembered = new Map(first.itemKeys!.map((key, i) => [key, first.items[i]!]));

      // A new item on top, item 1 reworded, item 2 unchanged (the channel around them changed).
      const asked: string[] = [];
      const second = await parseWith(
        rss(rssItem(3) + rssItem(1, 'Body 1, corrected') + rssItem(2)),
        (key) => {
          asked.push(key);
          return remembered.get(key) ?? null;
        },
      );
      expect(asked).toHaveLength(3);
      expect(second.items.map((i) => [i.title, i.text])).toEqual([
        ['Story 3', 'Body 3'],
        ['Story 1', 'Body 1, corrected'],
      ]);
      expect(second.known).toEqual([
        {
          index: 2,
          key: first.itemKeys![1],
          dates: { ...first.items[1]!, publishedAt: '2024-01-02T10:00:00.000Z' },
        },
      ]);
      expect(second.itemKeys).toEqual([asked[0], asked[1]]);
      expect(
        checkFeedBody(Buffer.from(rss(rssItem(1) + rssItem(2))), {
          feedUrl,
          knownItem: (key) => remembered.get(key) ?? null,
        }).items,
      ).toBe(2);
    });

    it('keys an item by what its reading depends on outside it too', async () => {
      const [plain] = await keysOf(rss(rssItem(1)));
      expect((await keysOf(rss(rssItem(2) + rssItem(1))))[1]).toBe(plain);
      // Another feed language, another binding of the dc: prefix, another xml:base, another URL.
      expect((await keysOf(rss(rssItem(1), { language: 'ru' })))[0]).not.toBe(plain);
      expect((await keysOf(rss(rssItem(1), { dc: 'urn:other' })))[0]).not.toBe(plain);
      expect((await keysOf(rss(rssItem(1), { base: 'https://other.example.org/' })))[0]).not.toBe(plain);
      const elsewhere = await parseFeed(Buffer.from(rss(rssItem(1))), {
        feedUrl: 'https://other.example.org/feed.xml',
        knownItem: () => null,
      });
      expect(elsewhere.itemKeys![0]).not.toBe(plain);
    });

    it('reads every item of a document that is not well-formed', async () => {
      let asked = 0;
      const feed = await parseWith(rss(rssItem(1) + rssItem(2).replace('Body 2', 'Body & 2')), () => {
        asked++;
        return { publishedAt: null, updatedAt: null };
      });
      expect(feed.salvaged).toBe(true);
      expect(asked).toBe(0);
      expect(feed.items).toHaveLength(2);
      expect(feed.itemKeys).toBeNull();
    });

    it('keys Atom entries with the feed author they inherit', async () => {
      const atom = (author: string) =>
        `<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><author><name>${author}</name></author>` +
        `<entry><id>tag:example.org,2024:1</id><title>One</title><updated>2024-01-01T00:00:00Z</updated></entry></feed>`;
      const [a] = await keysOf(atom('Desk A'));
      expect(await keysOf(atom('Desk A'))).toEqual([a]);
      expect((await keysOf(atom('Desk B')))[0]).not.toBe(a);
    });
  });
});
