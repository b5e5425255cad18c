import { type NatsConnection } from '@nats-io/transport-node';
import { connectTestNats, deleteNamespace, testNamespace } from '@diplowatch/testing';
import { afterPublish, feedKey, SeenArticles } from './seen-articles.store';

jest.setTimeout(30_000);

describe('SeenArticles (JetStream KV)', () => {
  let nc: NatsConnection;
  const namespace = testNamespace('seen');

  beforeAll(async () => {
    nc = await connectTestNats();
  });

  afterAll(async () => {
    if (nc) {
      await deleteNamespace(nc, namespace);
      await nc.drain();
    }
  });

  describe('when a replica starts with an empty cache', () => {
    it('learns from a record it reads, so an unchanged item costs one KV read, not one per poll', async () => {
      const before = await SeenArticles.open(nc, namespace);
      const articleId = 'a'.repeat(64);
      const feedA = feedKey('https://a.example.org/feed.xml');
      const feedB = feedKey('https://b.example.org/feed.xml');
      const itemHash = 'b'.repeat(64);
      const record = afterPublish(null, { itemHash, contentHash: itemHash, feed: feedA });
      expect(
        await before.put(
          articleId,
          { ...record, sources: { ...record.sources, [feedB]: 'c'.repeat(64) } },
          null,
        ),
      ).toBe(true);

      // A restart: same bucket, nothing in memory.
      const after = await SeenArticles.open(nc, namespace);
      expect(after.knownUnchanged(articleId, itemHash, feedA)).toBe(false);
      const stored = await after.get(articleId);
      expect(stored).toMatchObject({ itemHash, sources: { [feedA]: itemHash } });
      expect(after.knownUnchanged(articleId, itemHash, feedA)).toBe(true);
      expect(after.knownUnchanged(articleId, 'c'.repeat(64), feedB)).toBe(true);
      // Only "unchanged, same feed" is answered from memory.
      expect(after.knownUnchanged(articleId, 'd'.repeat(64), feedA)).toBe(false);
      expect(after.knownUnchanged(articleId, itemHash, feedKey('https://c.example.org/feed.xml'))).toBe(
        false,
      );
    });
  });
});
