import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { type BaseText, feedDocument } from './articles';

type Phase = { name: string; rate: number; count: number; firstK: number; startedAt: number };

export type ScheduledFeedServer = {
  urls: string[];
  /** Starts releasing `count` new articles at `rate` per second, spread round-robin over the feeds. */
  startPhase(name: string, rate: number, count: number): Phase;
  /** Articles released so far. */
  released(now?: number): number;
  /** When article k appeared in its feed (ms since the epoch). */
  releasedAt(k: number): number | null;
  phaseOf(k: number): Phase | undefined;
  stats(): { requests: number; notModified: number; bytes: number };
  close(): Promise<void>;
};

/**
 * The bench's publishers: `feeds` RSS feeds on 127.0.0.1, each holding its newest `window`
 * articles. Articles appear on a schedule (a rate per phase), so what the pipeline sees is what
 * real feeds give: a document that gains a few items between polls, 304 when nothing changed.
 */
export async function startScheduledFeedServer(
  bases: BaseText[],
  feeds: number,
  window: number,
): Promise<ScheduledFeedServer> {
  const phases: Phase[] = [];
  let next = 0;
  let requests = 0;
  let notModified = 0;
  let bytes = 0;
  const cache = new Map<number, { last: number; body: string }>();

  const released = (now = Date.now()) => {
    const phase = phases.at(-1);
    if (!phase) return 0;
    const due = Math.floor(((now - phase.startedAt) * phase.rate) / 1000);
    return phase.firstK + Math.max(0, Math.min(phase.count, due));
  };

  const server = http.createServer((req, res) => {
    requests++;
    const match = /^\/feed-(\d+)\.xml$/.exec(req.url ?? '');
    const feed = match ? Number(match[1]) : -1;
    if (feed < 0 || feed >= feeds) {
      res.writeHead(404).end();
      return;
    }
    const count = released();
    // Newest article of this feed: the largest k < count with k mod feeds = feed.
    const last = count - 1 >= feed ? feed + feeds * Math.floor((count - 1 - feed) / feeds) : -1;
    const etag = `"${feed}-${last}"`;
    if (req.headers['if-none-match'] === etag) {
      notModified++;
      res.writeHead(304, { etag }).end();
      return;
    }
    let cached = cache.get(feed);
    if (!cached || cached.last !== last) {
      const ks: number[] = [];
      for (let k = last; k >= 0 && ks.length < window; k -= feeds) ks.push(k);
      cached = { last, body: feedDocument(bases, feed, ks) };
      cache.set(feed, cached);
    }
    bytes += Buffer.byteLength(cached.body);
    res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag }).end(cached.body);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    urls: Array.from({ length: feeds }, (_, f) => `${origin}/feed-${f}.xml`),
    startPhase(name, rate, count) {
      next = released();
      const phase = { name, rate, count, firstK: next, startedAt: Date.now() };
      phases.push(phase);
      return phase;
    },
    released,
    releasedAt(k) {
      const phase = phases.find((p) => k >= p.firstK && k < p.firstK + p.count);
      return phase ? phase.startedAt + ((k - phase.firstK + 1) * 1000) / phase.rate : null;
    },
    phaseOf: (k) => phases.find((p) => k >= p.firstK && k < p.firstK + p.count),
    stats: () => ({ requests, notModified, bytes }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
