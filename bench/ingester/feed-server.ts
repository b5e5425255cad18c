/**
 * The bench's feed server, in a process of its own so the ingester's CPU and memory are
 * measured alone: N feeds on H loopback addresses (127.0.0.1…H), ETags, 304s. Driven over IPC by
 * run.ts: {type:'bump', count} gives `count` feeds two new items; {type:'stats'} reports what
 * was served. A fraction of the feeds (the 4th argument) send no ETag: like many real servers,
 * they answer every poll with the whole document, changed or not.
 */
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { feedDocument } from './documents';

const [feeds, items, hosts, noEtag = 0] = process.argv.slice(2).map(Number) as [
  number,
  number,
  number,
  number?,
];
const withoutEtag = (f: number) => ((f * 7907) % 1000) / 1000 < noEtag;
const version = new Array<number>(feeds).fill(0);
const cache = new Map<number, { v: number; body: Buffer; etag: string }>();
const served = { ok: 0, notModified: 0 };

const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
  const match = /^\/f\/(\d+)\.xml$/.exec(req.url ?? '');
  const f = match ? Number(match[1]) : -1;
  if (f < 0 || f >= feeds) return void res.writeHead(404).end();
  const v = version[f]!;
  let doc = cache.get(f);
  if (!doc || doc.v !== v) {
    doc = { v, body: feedDocument(f, v, items, hosts), etag: `"${f}-${v}"` };
    cache.set(f, doc);
  }
  if (withoutEtag(f)) {
    served.ok++;
    return void res
      .writeHead(200, {
        'content-type': 'application/rss+xml; charset=utf-8',
        'content-length': doc.body.length,
      })
      .end(doc.body);
  }
  if (req.headers['if-none-match'] === doc.etag) {
    served.notModified++;
    return void res.writeHead(304, { etag: doc.etag }).end();
  }
  served.ok++;
  res
    .writeHead(200, {
      'content-type': 'application/rss+xml; charset=utf-8',
      etag: doc.etag,
      'content-length': doc.body.length,
    })
    .end(doc.body);
};

async function main() {
  const servers: http.Server[] = [];
  for (let h = 1; h <= hosts; h++) {
    const server = http.createServer({ keepAlive: true }, handler);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, `127.0.0.${h}`, () => resolve());
    });
    servers.push(server);
  }
  const urls: string[] = [];
  for (let f = 0; f < feeds; f++) {
    const { address, port } = servers[f % hosts]!.address() as AddressInfo;
    urls.push(`http://${address}:${port}/f/${f}.xml`);
  }
  process.on('message', (message: { type: string; count?: number }) => {
    if (message.type === 'bump') {
      for (let f = 0; f < (message.count ?? 0); f++) {
        const index = (f * 7919) % feeds;
        version[index] = (version[index] ?? 0) + 2;
      }
      process.send?.({ type: 'bumped' });
    } else if (message.type === 'stats') process.send?.({ type: 'stats', served });
    else if (message.type === 'close') {
      for (const server of servers) server.closeAllConnections();
      process.exit(0);
    }
  });
  process.send?.({ type: 'ready', urls });
}

void main();
