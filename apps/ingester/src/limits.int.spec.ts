/*
 * The ingester's limits, measured through its own fetch-and-parse path (fetchFeed): hostile
 * documents are refused within bounded memory, bodies are cut at the cap, slow drips at the
 * total deadline and redirect loops at 5 hops. Times are reported, not asserted (house rule:
 * no timing assertions; bench/ingester prints them too).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type FeedServer, startFeedServer } from '@diplowatch/testing';
import { fetchFeed, MAX_REDIRECTS } from './feed-fetch';

const settings = {
  timeoutMs: 5000,
  maxBytes: 1024 * 1024,
  allowPrivateNetworks: true,
  userAgent: 'diplowatch-test',
};
const corpus = resolve(__dirname, '../../../../shared/corpus/feeds');
const MB = 1024 * 1024;

/** A billion-laughs document: 10 levels of 10 references, 10^10 "lol"s (~30 GB) if expanded. */
const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
${Array.from({ length: 9 }, (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('\n')}
]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title></item></channel></rss>`;

/** Quadratic blow-up: one 100 KB entity referenced 1,000 times, ~100 MB if expanded; no nesting for depth limits to catch. */
const QUADRATIC = `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "${'a'.repeat(100_000)}">]><rss version="2.0"><channel><title>${'&a;'.repeat(1000)}</title></channel></rss>`;

describe('ingester limits (fetchFeed)', () => {
  let server: FeedServer;
  const timers = new Set<NodeJS.Timeout>();

  beforeAll(async () => {
    server = await startFeedServer();
  });
  afterAll(async () => {
    for (const timer of timers) clearInterval(timer);
    await server.close();
  });

  describe.each([
    ['billion laughs', BILLION_LAUGHS],
    ['quadratic blow-up', QUADRATIC],
    ['XXE (external entity, corpus)', readFileSync(resolve(corpus, 'defusedxml__external_file.xml'), 'utf8')],
  ])('given an XML bomb (%s)', (name, body) => {
    it('refuses it without expanding entities, within 50 MB', async () => {
      const path = `/bomb-${name.replace(/\W+/g, '-')}.xml`;
      server.set(path, { body });
      const heapBefore = process.memoryUsage().heapUsed;
      const started = performance.now();
      const result = await fetchFeed(server.url(path), settings);
      const ms = performance.now() - started;
      const heapDelta = process.memoryUsage().heapUsed - heapBefore;
      console.log(
        `${name}: refused in ${ms.toFixed(1)} ms (fetch included), heap delta ${(heapDelta / MB).toFixed(2)} MB`,
      );
      expect(result.kind).toBe('fetched');
      if (result.kind !== 'fetched') return;
      expect(result.check).toMatchObject({ outcome: 'rejected', code: 'entity_declaration', items: 0 });
      expect(heapDelta).toBeLessThan(50 * MB);
    });
  });

  describe('given a body larger than the cap', () => {
    it('stops reading at the cap, long before the deadline, even when the body never ends', async () => {
      let written = 0;
      server.set('/endless.xml', (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        const timer = setInterval(() => {
          if (!res.writableNeedDrain) {
            res.write(Buffer.alloc(64 * 1024, 0x20));
            written += 64 * 1024;
          }
        }, 1);
        timers.add(timer);
        res.on('close', () => clearInterval(timer));
      });
      const result = await fetchFeed(server.url('/endless.xml'), {
        ...settings,
        maxBytes: 256 * 1024,
        timeoutMs: 30_000,
      });
      // 'too_large', not 'timeout': the read stopped at the cap, it did not wait for an end.
      expect(result).toMatchObject({ kind: 'failed', error: { code: 'too_large' } });
      expect(written).toBeGreaterThan(256 * 1024);
    });
  });

  describe('given a server that trickles a byte at a time', () => {
    it('cuts it at the total deadline, which a per-chunk timeout would never reach', async () => {
      let bytes = 0;
      server.set('/drip.xml', (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        const timer = setInterval(() => {
          res.write(' ');
          bytes++;
        }, 20);
        timers.add(timer);
        res.on('close', () => clearInterval(timer));
      });
      const result = await fetchFeed(server.url('/drip.xml'), { ...settings, timeoutMs: 500 });
      expect(result).toMatchObject({ kind: 'failed', error: { code: 'timeout' } });
      // Bytes kept arriving (every 20 ms) until the end: only the total deadline stopped it.
      expect(bytes).toBeGreaterThan(5);
    });
  });

  describe('given a redirect loop', () => {
    it(`follows ${MAX_REDIRECTS} hops and stops`, async () => {
      server.set('/loop.xml', { status: 302, headers: { location: '/loop.xml' } });
      const result = await fetchFeed(server.url('/loop.xml'), settings);
      expect(result).toMatchObject({ kind: 'failed', error: { code: 'too_many_redirects' } });
      expect(MAX_REDIRECTS).toBe(5);
      expect(server.requests('/loop.xml')).toBe(1 + MAX_REDIRECTS);
    });
  });
});
