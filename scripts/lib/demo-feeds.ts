import { existsSync, readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import path from 'node:path';

const escapeXml = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

type DevItem = { id: string; title: string; text: string; published: string | null };

/** An RSS document from labelled texts: how tests and the demo feed real articles to the ingester. */
export function rssFromItems(
  title: string,
  items: DevItem[],
  baseUrl = 'https://demo.diplowatch.invalid',
): string {
  const entries = items
    .map((item) => {
      const link = `${baseUrl}/articles/${encodeURIComponent(item.id)}`;
      const date = item.published
        ? `<pubDate>${new Date(`${item.published}T08:00:00Z`).toUTCString()}</pubDate>`
        : '';
      return `<item><title>${escapeXml(item.title)}</title><link>${link}</link><guid isPermaLink="true">${link}</guid>${date}<description>${escapeXml(item.text)}</description></item>`;
    })
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>${escapeXml(title)}</title><link>${baseUrl}/</link><description>${escapeXml(title)}</description>\n${entries}\n</channel></rss>\n`;
}

export function readDevSet(file: string): DevItem[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as DevItem);
}

export type DemoFeedServer = { urls: string[]; close: () => Promise<void> };

/**
 * Serves the bundled sample feeds (demo/feeds/*.xml) on 127.0.0.1, plus, where the labelled
 * development set is beside the checkout, a feed of its real texts.
 */
export async function startDemoFeedServer(repoRoot: string): Promise<DemoFeedServer> {
  const documents = new Map<string, string>();
  const feedDir = path.join(repoRoot, 'demo', 'feeds');
  for (const file of readdirSync(feedDir).filter((name) => name.endsWith('.xml'))) {
    documents.set(`/${file}`, readFileSync(path.join(feedDir, file), 'utf8'));
  }
  const devSet = path.resolve(repoRoot, '..', 'shared', 'eval', 'dev.jsonl');
  if (existsSync(devSet)) {
    const items = readDevSet(devSet).filter((item) => item.id !== 'seed-001');
    documents.set('/dev-set.xml', rssFromItems('diplowatch demo: labelled development texts', items));
  }
  const server = http.createServer((req, res) => {
    const body = documents.get(req.url ?? '');
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    urls: [...documents.keys()].map((key) => `http://127.0.0.1:${port}${key}`),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
