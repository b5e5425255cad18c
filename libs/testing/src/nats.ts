import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { type Topology, topology } from '@diplowatch/contracts';
import { alertTopology } from '@diplowatch/domain';

export const testNatsUrl = () => process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** A namespace no other test run shares: its own streams, subjects and KV buckets. */
export function testNamespace(prefix = 't'): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

export async function connectTestNats(): Promise<NatsConnection> {
  return connect({ servers: testNatsUrl(), noAsyncTraces: true });
}

/** Deletes everything a test namespace created on the server. */
export async function deleteNamespace(nc: NatsConnection, namespace: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const t: Topology = topology(namespace);
  const prefix = namespace.replace(/[^A-Za-z0-9_-]/g, '_');
  for (const stream of [
    t.eventStream,
    t.deadLetterStream,
    alertTopology(namespace).alertStream,
    `KV_${prefix}_seen_articles`,
    `KV_${prefix}_feed_state`,
  ]) {
    await jsm.streams.delete(stream).catch(() => undefined);
  }
}
