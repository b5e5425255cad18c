import {
  backoffSeconds,
  blendCadence,
  estimateCadence,
  feedCondition,
  isPossibleGap,
  nextCheckAt,
  OpmlError,
  parseOpml,
  serializeOpml,
} from '.';

const now = new Date('2026-11-01T12:00:00.000Z');
const secondsAfterNow = (date: Date) => (date.getTime() - now.getTime()) / 1000;
const middle = () => 0.5; // no jitter: 1 - j + 2j * 0.5 = 1

describe('nextCheckAt', () => {
  describe('when the last poll succeeded', () => {
    it('waits the interval', () => {
      expect(
        secondsAfterNow(
          nextCheckAt({ now, lastOutcome: 'success', interval: 900, errorCount: 0, random: middle }),
        ),
      ).toBe(900);
    });

    it('jitters within ±10 % by default', () => {
      const low = nextCheckAt({
        now,
        lastOutcome: 'not_modified',
        interval: 1000,
        errorCount: 0,
        random: () => 0,
      });
      const high = nextCheckAt({
        now,
        lastOutcome: 'not_modified',
        interval: 1000,
        errorCount: 0,
        random: () => 0.999999,
      });
      expect(secondsAfterNow(low)).toBe(900);
      expect(secondsAfterNow(high)).toBeCloseTo(1100, 0);
    });
  });

  describe('when the feed keeps failing', () => {
    it('backs off exponentially from the interval', () => {
      const waits = [1, 2, 3, 4].map((errorCount) =>
        secondsAfterNow(
          nextCheckAt({ now, lastOutcome: 'error', interval: 600, errorCount, random: middle }),
        ),
      );
      expect(waits).toEqual([600, 1200, 2400, 4800]);
    });

    it('caps the wait, however many failures, and keeps polling', () => {
      const wait = secondsAfterNow(
        nextCheckAt({ now, lastOutcome: 'error', interval: 600, errorCount: 10_000, random: middle }),
      );
      expect(wait).toBe(24 * 3600);
    });

    it('never polls a failing feed more often than its own interval', () => {
      expect(backoffSeconds(7 * 24 * 3600, 5, 24 * 3600)).toBe(7 * 24 * 3600);
    });
  });

  describe('when the server asked to wait (429/503 with Retry-After)', () => {
    it('waits at least Retry-After', () => {
      const wait = secondsAfterNow(
        nextCheckAt({
          now,
          lastOutcome: 'throttled',
          interval: 60,
          errorCount: 1,
          retryAfter: 3600,
          random: middle,
        }),
      );
      expect(wait).toBe(3600);
    });

    it('keeps the backoff when it is longer than Retry-After', () => {
      const wait = secondsAfterNow(
        nextCheckAt({
          now,
          lastOutcome: 'throttled',
          interval: 600,
          errorCount: 3,
          retryAfter: 5,
          random: middle,
        }),
      );
      expect(wait).toBe(2400);
    });

    it('caps an absurd Retry-After', () => {
      const wait = secondsAfterNow(
        nextCheckAt({
          now,
          lastOutcome: 'throttled',
          interval: 60,
          errorCount: 1,
          retryAfter: 10 ** 9,
          random: middle,
        }),
      );
      expect(wait).toBe(24 * 3600);
    });
  });
});

describe('estimateCadence', () => {
  const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3600_000).toISOString();

  it('is the median gap between item dates', () => {
    // gaps 1 h, 1 h, 10 h: the one long gap does not move the median
    expect(estimateCadence([hoursAgo(0), hoursAgo(1), hoursAgo(2), hoursAgo(12)], now)).toBe(3600);
  });

  it('ignores undated items, duplicates and dates far in the future', () => {
    expect(
      estimateCadence([null, hoursAgo(2), hoursAgo(2), hoursAgo(4), hoursAgo(6), hoursAgo(-100)], now),
    ).toBe(7200);
  });

  it('says nothing from fewer than three dates', () => {
    expect(estimateCadence([hoursAgo(1), hoursAgo(2), null], now)).toBeNull();
  });

  it('says nothing when every item has the same stamp (feeds that stamp the fetch time)', () => {
    expect(estimateCadence([hoursAgo(1), hoursAgo(1), hoursAgo(1)], now)).toBeNull();
  });

  it('blends observations so one document does not swing it', () => {
    expect(blendCadence(null, 1000)).toBe(1000);
    expect(blendCadence(1000, null)).toBe(1000);
    expect(blendCadence(1000, 2000)).toBe(1300);
  });
});

describe('isPossibleGap', () => {
  const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3600_000);

  describe('given a feed that publishes every 20 minutes', () => {
    it('flags two days of silence', () => {
      expect(isPossibleGap({ now, lastItemAt: hoursAgo(48), cadenceSeconds: 1200 })).toBe(true);
    });
    it('does not flag a quiet night', () => {
      expect(isPossibleGap({ now, lastItemAt: hoursAgo(8), cadenceSeconds: 1200 })).toBe(false);
    });
  });

  describe('given a weekly feed', () => {
    it('does not flag two days of silence', () => {
      expect(isPossibleGap({ now, lastItemAt: hoursAgo(48), cadenceSeconds: 7 * 86400 })).toBe(false);
    });
  });

  it('gives no verdict without a cadence', () => {
    expect(isPossibleGap({ now, lastItemAt: hoursAgo(1000), cadenceSeconds: null })).toBe(false);
  });
});

describe('feedCondition', () => {
  const base = {
    enabled: true,
    lastCheckedAt: now,
    consecutiveFailures: 0,
    failingSince: null,
    possibleGap: false,
  };

  it.each([
    ['paused', { ...base, enabled: false }],
    ['pending', { ...base, lastCheckedAt: null }],
    ['healthy', base],
    ['possible_gap', { ...base, possibleGap: true }],
    ['failing', { ...base, consecutiveFailures: 3, failingSince: new Date(now.getTime() - 3600_000) }],
    [
      'failing_long',
      { ...base, consecutiveFailures: 30, failingSince: new Date(now.getTime() - 3 * 86400_000) },
    ],
  ] as const)('reports %s', (expected, feed) => {
    expect(feedCondition(feed, now)).toBe(expected);
  });
});

describe('OPML', () => {
  const opml = `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Russia &amp; SEA</title></head>
  <body>
    <outline text="Wires">
      <outline type="rss" text="TASS" xmlUrl="https://tass.com/rss/v2.xml" htmlUrl="https://tass.com"/>
      <outline type="rss" text="ANTARA" xmlurl="https://en.antaranews.com/rss/news.xml" language="en"/>
    </outline>
    <outline type="rss" title="The Diplomat" text="ignored" xmlUrl="https://thediplomat.com/feed/"/>
    <outline type="rss" text="again" xmlUrl="https://tass.com/rss/v2.xml"/>
    <outline type="rss" text="local file" xmlUrl="file:///etc/passwd"/>
  </body>
</opml>`;

  describe('parseOpml', () => {
    it('reads feeds in document order with folders, titles and languages', () => {
      const doc = parseOpml(opml);
      expect(doc.title).toBe('Russia & SEA');
      expect(doc.feeds).toEqual([
        {
          url: 'https://tass.com/rss/v2.xml',
          title: 'TASS',
          siteUrl: 'https://tass.com/',
          language: null,
          category: 'Wires',
        },
        {
          url: 'https://en.antaranews.com/rss/news.xml',
          title: 'ANTARA',
          siteUrl: null,
          language: 'en',
          category: 'Wires',
        },
        {
          url: 'https://thediplomat.com/feed/',
          title: 'The Diplomat',
          siteUrl: null,
          language: null,
          category: null,
        },
      ]);
    });

    it('warns about duplicates and non-http URLs instead of importing them', () => {
      const { warnings } = parseOpml(Buffer.from(opml));
      expect(warnings).toEqual([
        expect.stringContaining('listed twice'),
        expect.stringContaining('not an absolute http(s) URL'),
      ]);
    });

    it('refuses a document that is not OPML', () => {
      expect(() => parseOpml('<rss version="2.0"><channel/></rss>')).toThrow(OpmlError);
    });

    it('refuses entity declarations (billion laughs) without expanding them', () => {
      const bomb = `<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><opml><body><outline text="&b;" xmlUrl="https://x.org/f"/></body></opml>`;
      expect(() => parseOpml(bomb)).toThrow(/entities/);
    });
  });

  describe('serializeOpml', () => {
    it('round-trips through parseOpml', () => {
      const { feeds } = parseOpml(opml);
      const text = serializeOpml({ title: 'export <1>', dateCreated: now, feeds });
      expect(text).toContain('<title>export &lt;1&gt;</title>');
      expect(parseOpml(text)).toMatchObject({ title: 'export <1>', feeds, warnings: [] });
    });
  });
});
