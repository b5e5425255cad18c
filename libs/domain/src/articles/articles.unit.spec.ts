import { articleIngestedV1 } from '@diplowatch/contracts';
import { type FeedItem } from '../feeds';
import { articleIdentity, canonicalizeUrl, contentHash, dedupeItems, toArticleIngested } from '.';

const feedUrl = 'https://news.example.org/rss/world.xml';

function item(overrides: Partial<FeedItem> = {}): FeedItem {
  return {
    guid: null,
    guidIsPermalink: false,
    link: null,
    title: 'Shoigu arrives in Jakarta',
    text: 'Russian defence minister Sergei Shoigu arrived in Jakarta on 24 February.',
    rawContent: '<p>Russian defence minister Sergei Shoigu arrived in Jakarta on 24 February.</p>',
    contentBaseUrl: feedUrl,
    author: null,
    publishedAt: '2024-02-24T01:00:00.000Z',
    updatedAt: null,
    language: 'en',
    ...overrides,
  };
}

describe('canonicalizeUrl', () => {
  it.each([
    [
      'HTTPS://News.Example.ORG:443/a/B?utm_source=rss&utm_medium=feed&id=7&fbclid=x#comments',
      'https://news.example.org/a/B?id=7',
    ],
    ['http://example.org:80/x?gclid=1', 'http://example.org/x'],
    ['http://example.org:8080/x?b=2&a=1', 'http://example.org:8080/x?b=2&a=1'],
    ['https://example.org./x?q=a%20b&utm_campaign=c', 'https://example.org/x?q=a%20b'],
    ['https://user:pw@example.org/x', 'https://example.org/x'],
    ['https://example.org/#!/story/42', 'https://example.org/#!/story/42'],
    [
      'https://www.theguardian.com/world/2024/feb/24/x?CMP=share_btn_tw',
      'https://www.theguardian.com/world/2024/feb/24/x',
    ],
  ])('canonicalises %s', (input, expected) => {
    expect(canonicalizeUrl(input)).toBe(expected);
  });

  it.each([null, '', 'not a url', 'ftp://example.org/x', 'javascript:alert(1)', '/relative'])(
    'returns null for %j',
    (input) => {
      expect(canonicalizeUrl(input)).toBeNull();
    },
  );
});

describe('articleIdentity', () => {
  describe('when the guid is a permalink', () => {
    it('uses its canonical URL, which matches the same article known only by its link', () => {
      const viaGuid = articleIdentity(
        item({ guid: 'https://news.example.org/a?utm_source=x', guidIsPermalink: true }),
        feedUrl,
      );
      const viaLink = articleIdentity(
        item({ link: 'https://NEWS.example.org/a#comments' }),
        'https://other.example.net/feed',
      );
      expect(viaGuid.rule).toBe('permalink');
      expect(viaLink.rule).toBe('url');
      expect(viaGuid.articleId).toBe(viaLink.articleId);
    });

    it('keeps a fragment in the guid, which tells items on one page apart', () => {
      const a = articleIdentity(
        item({ guid: 'http://example.net/tests/#1.1', guidIsPermalink: true }),
        feedUrl,
      );
      const b = articleIdentity(
        item({ guid: 'http://example.net/tests/#1.2', guidIsPermalink: true }),
        feedUrl,
      );
      expect(a.articleId).not.toBe(b.articleId);
    });
  });

  describe('when the guid is globally unique but not a permalink', () => {
    it.each([
      'tag:example.com,2006-05-04:/blog/1',
      'urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a',
      'https://example.org/?p=123',
    ])('uses %s verbatim, the same in every feed', (guid) => {
      const a = articleIdentity(item({ guid }), feedUrl);
      const b = articleIdentity(
        item({ guid, link: 'https://elsewhere.example/x' }),
        'https://other.example.net/feed',
      );
      expect(a.rule).toBe('global-guid');
      expect(a.articleId).toBe(b.articleId);
    });
  });

  describe('when the guid is only unique within its feed', () => {
    it('joins it with the feed URL', () => {
      const a = articleIdentity(item({ guid: '1' }), feedUrl);
      const b = articleIdentity(item({ guid: '1' }), 'https://other.example.net/feed');
      expect(a.rule).toBe('feed-guid');
      expect(a.articleId).not.toBe(b.articleId);
      expect(articleIdentity(item({ guid: '1', title: 'edited' }), feedUrl).articleId).toBe(a.articleId);
    });
  });

  describe('when there is no guid and no link', () => {
    it('hashes the content within the feed', () => {
      const a = articleIdentity(item(), feedUrl);
      expect(a.rule).toBe('content');
      expect(articleIdentity(item(), feedUrl).articleId).toBe(a.articleId);
      expect(articleIdentity(item({ title: 'other' }), feedUrl).articleId).not.toBe(a.articleId);
      expect(articleIdentity(item(), 'https://other.example.net/feed').articleId).not.toBe(a.articleId);
    });
  });

  it('gives ids that fit the contract (64 hex characters)', () => {
    expect(articleIdentity(item({ guid: 'x'.repeat(5000) }), feedUrl).articleId).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('contentHash', () => {
  it('changes with the text but not with dates or tracking parameters', () => {
    const base = item({ link: 'https://example.org/a' });
    expect(
      contentHash(
        item({
          link: 'https://example.org/a?utm_source=rss',
          publishedAt: null,
          updatedAt: '2025-01-01T00:00:00.000Z',
        }),
      ),
    ).toBe(contentHash(base));
    expect(contentHash(item({ link: 'https://example.org/a', text: 'Updated text.' }))).not.toBe(
      contentHash(base),
    );
  });
});

describe('dedupeItems', () => {
  it('keeps the latest revision of each article, in document order', () => {
    const items = [
      item({ guid: 'a', title: 'first a', updatedAt: '2024-01-01T00:00:00.000Z' }),
      item({ guid: 'b', title: 'b' }),
      item({ guid: 'a', title: 'newer a', updatedAt: '2024-02-01T00:00:00.000Z' }),
      item({ guid: 'b', title: 'same-time b' }),
    ];
    const result = dedupeItems(items, feedUrl);
    expect(result.items.map((i) => i.title)).toEqual(['b', 'newer a']);
    expect(result.dropped).toBe(2);
  });
});

describe('toArticleIngested', () => {
  it('builds a valid contract payload with relative links resolved', () => {
    const data = toArticleIngested(
      item({
        guid: 'tag:example.org,2024:1',
        link: 'https://news.example.org/a?utm_source=rss',
        rawContent: '<img src="pic.jpg">',
        contentBaseUrl: 'https://cdn.example.org/media/',
        language: null,
      }),
      { feedUrl, fetchedAt: new Date('2026-11-01T00:00:00Z'), language: 'ru' },
    );
    expect(articleIngestedV1.parse(data)).toEqual(data);
    expect(data).toMatchObject({
      url: 'https://news.example.org/a?utm_source=rss',
      canonicalUrl: 'https://news.example.org/a',
      guid: 'tag:example.org,2024:1',
      rawContent: '<img src="https://cdn.example.org/media/pic.jpg">',
      language: 'ru',
      publishedAt: '2024-02-24T01:00:00.000Z',
      fetchedAt: '2026-11-01T00:00:00.000Z',
    });
  });

  it('clips oversized fields to the contract limits without splitting characters', () => {
    const data = toArticleIngested(
      item({ title: '😀'.repeat(1500), text: 'x'.repeat(300_000), author: 'a'.repeat(2000) }),
      {
        feedUrl,
        fetchedAt: '2026-11-01T00:00:00.000Z',
      },
    );
    expect(articleIngestedV1.safeParse(data).success).toBe(true);
    expect(data.title.length).toBe(2000);
    expect(data.title.endsWith('😀')).toBe(true);
  });
});
