import { createHash } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';

/** What one path serves. A function gets the request and writes the response itself. */
export type FeedRoute =
  | {
      body?: string | Buffer;
      contentType?: string;
      status?: number;
      headers?: Record<string, string>;
      /** Send an ETag (derived from the body unless given) and answer a matching If-None-Match with 304. Default true for 200s. */
      etag?: string | boolean;
    }
  | ((req: IncomingMessage, res: ServerResponse) => void);

export type FeedServer = {
  /** http://127.0.0.1:<port> */
  origin: string;
  port: number;
  /** Absolute URL of a path on this server. */
  url(path: string): string;
  /** Requests received per path (query string included), 304s included. */
  requests(path: string): number;
  /** The request headers of the last request to a path. */
  lastHeaders(path: string): http.IncomingHttpHeaders | undefined;
  /** Adds or replaces a route while the server runs. */
  set(path: string, route: FeedRoute): void;
  close(): Promise<void>;
};

/**
 * A tiny local HTTP server for feed tests: listens on 127.0.0.1, on a free port (port 0), serves
 * the given routes, counts requests per path and supports conditional GET with ETags.
 * Unknown paths get 404.
 */
export async function startFeedServer(routes: Record<string, FeedRoute> = {}): Promise<FeedServer> {
  const table = new Map<string, FeedRoute>(Object.entries(routes));
  const counts = new Map<string, number>();
  const headersSeen = new Map<string, http.IncomingHttpHeaders>();

  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    counts.set(path, (counts.get(path) ?? 0) + 1);
    headersSeen.set(path, req.headers);
    const route = table.get(path) ?? table.get(path.split('?')[0]!);
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (typeof route === 'function') {
      route(req, res);
      return;
    }
    const status = route.status ?? 200;
    const body =
      route.body === undefined
        ? Buffer.alloc(0)
        : Buffer.isBuffer(route.body)
          ? route.body
          : Buffer.from(route.body, 'utf8');
    const headers: Record<string, string> = {
      'content-type': route.contentType ?? 'application/rss+xml; charset=utf-8',
      ...route.headers,
    };
    const wantsEtag = route.etag !== false && status === 200;
    if (wantsEtag) {
      const etag =
        typeof route.etag === 'string'
          ? route.etag
          : `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`;
      headers.etag = etag;
      const ifNoneMatch = req.headers['if-none-match'];
      if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*')) {
        res.writeHead(304, { etag }).end();
        return;
      }
    }
    headers['content-length'] ??= String(body.length);
    res.writeHead(status, headers).end(body);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    origin,
    port,
    url: (path) => `${origin}${path}`,
    requests: (path) => counts.get(path) ?? 0,
    lastHeaders: (path) => headersSeen.get(path),
    set: (path, route) => void table.set(path, route),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
