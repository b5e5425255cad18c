import path from 'node:path';
import { loadFeedsConfig } from './feeds-config';

// The seed list cannot be fetched from here (no internet): this checks what can be checked
// offline - it loads through the ingester's own schema, every address is well-formed https,
// and no outlet is listed twice. `npm run feed:check` checks the addresses themselves.
describe('config/feeds.json', () => {
  const file = path.resolve(__dirname, '../../../config/feeds.json');
  const feeds = loadFeedsConfig(file);

  it('validates and lists real outlets of the region and Russia, each with a title and kind', () => {
    expect(feeds.length).toBeGreaterThanOrEqual(30);
    for (const feed of feeds) {
      expect(feed).toMatchObject({ title: expect.any(String), kind: expect.any(String), language: 'en' });
    }
  });

  it('uses https URLs with a public host name (no IP literal, port or credentials), once each', () => {
    const hosts = new Set<string>();
    for (const { url } of feeds) {
      const parsed = new URL(url);
      expect({ url, protocol: parsed.protocol }).toEqual({ url, protocol: 'https:' });
      expect(parsed.hostname).toMatch(/^(?:[a-z0-9-]+\.)+[a-z]{2,}$/);
      expect(parsed.port + parsed.username + parsed.password).toBe('');
      hosts.add(parsed.href);
    }
    expect(hosts.size).toBe(feeds.length);
  });
});
