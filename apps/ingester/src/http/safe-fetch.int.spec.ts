import { gzipSync, brotliCompressSync, deflateSync, deflateRawSync } from 'node:zlib';
import { startFeedServer, type FeedServer } from '../../../../libs/testing/src/feed-server';
import { FetchError, safeFetch, type SafeFetchOptions } from './safe-fetch';

const RSS = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>';

const base: SafeFetchOptions = {
  timeoutMs: 5000,
  maxBytes: 1024 * 1024,
  maxRedirects: 5,
  allowPrivateNetworks: true,
  userAgent: 'diplowatch-test/1.0',
};

async function fetchError(promise: Promise<unknown>): Promise<FetchError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof FetchError) return error;
    throw error;
  }
  throw new Error('expected a FetchError');
}

describe('safeFetch', () => {
  let server: FeedServer;
  const sockets = new Set<NodeJS.Timeout>();

  beforeAll(async () => {
    server = await startFeedServer({ '/feed.xml': { body: RSS } });
  });
  afterAll(async () => {
    for (const t of sockets) clearInterval(t);
    await server.close();
  });

  describe('when the server answers 200', () => {
    it('returns the body, headers, validators and the user agent is sent', async () => {
      const res = await safeFetch(server.url('/feed.xml'), base);
      expect(res.status).toBe(200);
      expect(res.notModified).toBe(false);
      expect(res.body.toString('utf8')).toBe(RSS);
      expect(res.headers['content-type']).toBe('application/rss+xml; charset=utf-8');
      expect(res.etag).toMatch(/^".+"$/);
      expect(server.lastHeaders('/feed.xml')?.['user-agent']).toBe('diplowatch-test/1.0');
    });
  });

  describe('conditional GET', () => {
    it('sends If-None-Match and reports 304 as notModified with an empty body', async () => {
      server.set('/cond.xml', { body: RSS });
      const first = await safeFetch(server.url('/cond.xml'), base);
      const second = await safeFetch(server.url('/cond.xml'), {
        ...base,
        etag: first.etag,
        lastModified: 'Wed, 21 Oct 2015 07:28:00 GMT',
      });
      expect(second.status).toBe(304);
      expect(second.notModified).toBe(true);
      expect(second.body.length).toBe(0);
      expect(server.lastHeaders('/cond.xml')?.['if-none-match']).toBe(first.etag);
      expect(server.lastHeaders('/cond.xml')?.['if-modified-since']).toBe('Wed, 21 Oct 2015 07:28:00 GMT');
      expect(server.requests('/cond.xml')).toBe(2);
    });
  });

  describe('compressed responses', () => {
    it.each([
      ['gzip', 'gzip', gzipSync],
      ['br', 'brotli', brotliCompressSync],
      ['deflate', 'zlib-wrapped deflate', deflateSync],
      ['deflate', 'raw deflate (a common server bug)', deflateRawSync],
    ] as const)('decodes Content-Encoding %s (%s)', async (encoding, _label, compress) => {
      const path = `/${encoding}-${compress.name}.xml`;
      server.set(path, (_req, res) => {
        res
          .writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': encoding })
          .end(compress(Buffer.from(RSS)));
      });
      const res = await safeFetch(server.url(path), base);
      expect(res.body.toString('utf8')).toBe(RSS);
      expect(server.lastHeaders(path)?.['accept-encoding']).toContain(encoding);
    });

    it('applies the size cap to the decompressed bytes (gzip bomb)', async () => {
      const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20));
      expect(bomb.length).toBeLessThan(64 * 1024);
      server.set('/bomb.xml', (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip' }).end(bomb);
      });
      const error = await fetchError(safeFetch(server.url('/bomb.xml'), { ...base, maxBytes: 1024 * 1024 }));
      expect(error.code).toBe('too_large');
    });
  });

  describe('size cap', () => {
    it('refuses a Content-Length over maxBytes', async () => {
      server.set('/big.xml', { body: Buffer.alloc(200_000, 0x20) });
      const error = await fetchError(safeFetch(server.url('/big.xml'), { ...base, maxBytes: 100_000 }));
      expect(error.code).toBe('too_large');
    });

    it('stops reading a chunked body once it passes maxBytes', async () => {
      server.set('/chunked.xml', (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        for (let i = 0; i < 50; i++) res.write(Buffer.alloc(10_000, 0x20));
        res.end();
      });
      const error = await fetchError(safeFetch(server.url('/chunked.xml'), { ...base, maxBytes: 100_000 }));
      expect(error.code).toBe('too_large');
    });
  });

  describe('total deadline', () => {
    it('gives up on a server that trickles a byte every 100 ms, at the deadline', async () => {
      server.set('/trickle.xml', (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        const timer = setInterval(() => res.write(' '), 100);
        sockets.add(timer);
        res.on('close', () => {
          clearInterval(timer);
          sockets.delete(timer);
        });
      });
      // No timing assertion (house rule): the code says the total deadline, not a stall, ended it.
      const error = await fetchError(safeFetch(server.url('/trickle.xml'), { ...base, timeoutMs: 700 }));
      expect(error.code).toBe('timeout');
    });

    it('counts waiting for headers that never come against the deadline', async () => {
      server.set('/hang.xml', () => {
        /* never answers */
      });
      const error = await fetchError(safeFetch(server.url('/hang.xml'), { ...base, timeoutMs: 300 }));
      expect(error.code).toBe('timeout');
    });

    it('stops when the caller aborts', async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const error = await fetchError(
        safeFetch(server.url('/hang.xml'), { ...base, signal: controller.signal }),
      );
      expect(error.code).toBe('aborted');
    });
  });

  describe('redirects', () => {
    it('follows relative and absolute Locations and reports the final URL', async () => {
      server.set('/r1', { status: 301, headers: { location: '/r2' } });
      server.set('/r2', { status: 302, headers: { location: server.url('/r3') } });
      server.set('/r3', { status: 307, headers: { location: 'feed.xml' } });
      const res = await safeFetch(server.url('/r1'), base);
      expect(res.url).toBe(server.url('/feed.xml'));
      expect(res.body.toString('utf8')).toBe(RSS);
    });

    it('refuses more than maxRedirects', async () => {
      server.set('/loop', { status: 302, headers: { location: '/loop' } });
      const error = await fetchError(safeFetch(server.url('/loop'), { ...base, maxRedirects: 3 }));
      expect(error.code).toBe('too_many_redirects');
      expect(server.requests('/loop')).toBe(4);
    });

    it('refuses a redirect to a non-http scheme', async () => {
      server.set('/to-file', { status: 302, headers: { location: 'file:///etc/passwd' } });
      const error = await fetchError(safeFetch(server.url('/to-file'), base));
      expect(error.code).toBe('bad_url');
    });
  });

  describe('HTTP errors', () => {
    it('reports the status and Retry-After', async () => {
      server.set('/busy', { status: 429, headers: { 'retry-after': '120' }, body: 'slow down' });
      const error = await fetchError(safeFetch(server.url('/busy'), base));
      expect(error.code).toBe('http_status');
      expect(error.status).toBe(429);
      expect(error.retryAfterSeconds).toBe(120);
    });

    it('reports a refused connection as a network error', async () => {
      const closed = await startFeedServer();
      const url = closed.url('/feed.xml');
      await closed.close();
      expect((await fetchError(safeFetch(url, base))).code).toBe('network');
    });

    it('refuses URLs that are not http(s)', async () => {
      expect((await fetchError(safeFetch('ftp://example.org/feed', base))).code).toBe('bad_url');
      expect((await fetchError(safeFetch('not a url', base))).code).toBe('bad_url');
    });
  });

  describe('address guard (allowPrivateNetworks: false)', () => {
    const guarded = { ...base, allowPrivateNetworks: false };

    it('refuses a loopback IP without connecting', async () => {
      server.set('/private.xml', { body: RSS });
      const error = await fetchError(safeFetch(server.url('/private.xml'), guarded));
      expect(error.code).toBe('blocked_address');
      expect(server.requests('/private.xml')).toBe(0);
    });

    it('refuses a host name that resolves to a loopback address', async () => {
      const error = await fetchError(
        safeFetch(`http://feeds.example:${server.port}/private.xml`, {
          ...guarded,
          resolve: async () => [{ address: '127.0.0.1', family: 4 }],
        }),
      );
      expect(error.code).toBe('blocked_address');
      expect(server.requests('/private.xml')).toBe(0);
    });

    it('checks every redirect hop', async () => {
      // Policy for this test: 127.0.0.1 stands in for a public address, 127.0.0.2 for a private one.
      server.set('/hop', {
        status: 302,
        headers: { location: `http://127.0.0.2:${server.port}/target.xml` },
      });
      server.set('/target.xml', { body: RSS });
      const error = await fetchError(
        safeFetch(server.url('/hop'), { ...guarded, isAllowedAddress: (address) => address === '127.0.0.1' }),
      );
      expect(error.code).toBe('blocked_address');
      expect(server.requests('/hop')).toBe(1);
      expect(server.requests('/target.xml')).toBe(0);
    });

    it('connects to the vetted address, resolving once per hop (no DNS rebinding window)', async () => {
      let lookups = 0;
      // A rebinding resolver: the first answer passes the check, later ones would not.
      const resolve = async () =>
        lookups++ === 0
          ? [{ address: '127.0.0.1', family: 4 as const }]
          : [{ address: '127.0.0.2', family: 4 as const }];
      const res = await safeFetch(`http://feeds.example:${server.port}/feed.xml`, {
        ...guarded,
        resolve,
        isAllowedAddress: (address) => address === '127.0.0.1',
      });
      expect(res.body.toString('utf8')).toBe(RSS);
      expect(lookups).toBe(1);
      expect(server.lastHeaders('/feed.xml')?.host).toBe(`feeds.example:${server.port}`);
    });
  });
});
