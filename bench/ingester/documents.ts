// The bench's feed documents: realistic RSS 2.0 (permalink guids, tracking parameters, HTML
// descriptions, dc:creator), about 22 KB for 20 items.

const WORDS =
  'Moscow Jakarta Kuala Lumpur Hanoi Bangkok Manila Singapore defence minister visit talks agreement exercise navy delegation cooperation summit ASEAN BRICS trade energy security forum president prime ministry statement'.split(
    ' ',
  );
const sentence = (seed: number, words: number) =>
  Array.from({ length: words }, (_, i) => WORDS[(seed * 7 + i * 13) % WORDS.length]).join(' ');

/** Feed `f` at version `v`: `count` items numbered v..v+count-1 newest first, so each version adds new ones. */
export function feedDocument(f: number, v: number, count: number, hosts: number): Buffer {
  const items: string[] = [];
  for (let k = v + count - 1; k >= v; k--) {
    const date = new Date(Date.UTC(2026, 10, 1) + k * 3_600_000).toUTCString();
    items.push(
      `<item><title>${sentence(f + k, 9)} (${f}/${k})</title>` +
        `<link>https://news${f % hosts}.example.org/feed${f}/story-${k}?utm_source=rss</link>` +
        `<guid isPermaLink="true">https://news${f % hosts}.example.org/feed${f}/story-${k}</guid>` +
        `<pubDate>${date}</pubDate><dc:creator>Desk ${f % 17}</dc:creator>` +
        `<description><![CDATA[<p>${sentence(f * 3 + k, 60)}.</p><p>${sentence(f + k * 5, 40)} &amp; more.</p>]]></description></item>`,
    );
  }
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>` +
      `<title>Bench feed ${f}</title><link>https://news${f % hosts}.example.org/</link><language>en</language>` +
      `${items.join('\n')}</channel></rss>`,
  );
}
