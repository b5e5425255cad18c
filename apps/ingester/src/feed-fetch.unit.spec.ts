import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkFeedBody } from '@diplowatch/domain';
import { feedCorpusDir, readFeedCorpusManifest } from '@diplowatch/testing';
import { bodyHashOf, checkFeedInput, toCheckLine } from './feed-fetch';

const files = readFeedCorpusManifest().map((entry) => entry.file);
const settings = {
  timeoutMs: 1000,
  maxBytes: 20 * 1024 * 1024,
  allowPrivateNetworks: false,
  userAgent: 'test',
};

describe('checkFeedInput (npm run feed:check) on files', () => {
  (files.length > 0 ? it : it.skip)(
    "gives, for every corpus document, the corpus test's verdict (same path)",
    async () => {
      for (const file of files) {
        const path = join(feedCorpusDir, file);
        const line = await checkFeedInput(path, settings);
        const expected = toCheckLine(
          path,
          checkFeedBody(readFileSync(path), { feedUrl: 'https://feeds.example.org/feed.xml' }),
        );
        expect({ file, ...line }).toEqual({ file, ...expected });
      }
    },
    // The whole corpus, parsed twice: seconds on a loaded machine.
    60_000,
  );

  it('reports a missing file as rejected, with a reason', async () => {
    expect(await checkFeedInput('/nonexistent/feed.xml', settings)).toMatchObject({
      input: '/nonexistent/feed.xml',
      outcome: 'rejected',
      format: null,
      items: 0,
      error: expect.stringMatching(/^bad_input: cannot read/),
    });
  });

  it("refuses a URL on a private address (the poller's guard)", async () => {
    expect(await checkFeedInput('http://127.0.0.1:9/feed.xml', settings)).toMatchObject({
      outcome: 'rejected',
      error: expect.stringMatching(/^blocked_address: /),
    });
  });
});

describe('bodyHashOf (what makes a document "the same again")', () => {
  const body = Buffer.from('<rss version="2.0"><channel><title>t</title></channel></rss>');

  it('is the same for the same bytes at the same URL, and versioned', () => {
    expect(bodyHashOf('https://a.example.org/feed.xml', body)).toBe(
      bodyHashOf('https://a.example.org/feed.xml', Buffer.from(body)),
    );
    expect(bodyHashOf('https://a.example.org/feed.xml', body)).toMatch(/^v1:[A-Za-z0-9_-]{43}$/);
  });

  it('differs for one changed byte, and for the same bytes at another final URL (relative links resolve against it)', () => {
    const changed = Buffer.from(body);
    changed[changed.length - 3] = 0x41;
    expect(bodyHashOf('https://a.example.org/feed.xml', changed)).not.toBe(
      bodyHashOf('https://a.example.org/feed.xml', body),
    );
    expect(bodyHashOf('https://b.example.org/feed.xml', body)).not.toBe(
      bodyHashOf('https://a.example.org/feed.xml', body),
    );
  });
});
