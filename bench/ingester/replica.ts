/**
 * A second (third…) ingester replica for `bench:ingester --replicas R`: a process of its own
 * with its own poller, registry client, NATS connection and seen-articles cache, sharing the
 * bench's database, stream and KV bucket - as replicas do in production (SKIP LOCKED + lease
 * split the feeds between them). Driven over IPC by run.ts: {type:'start', label} starts a
 * cycle, every poll is reported as {type:'polled', outcome, published}, {type:'stop'} answers
 * with this process's CPU seconds and peak RSS, {type:'close'} ends it.
 */
import { Logger } from '@nestjs/common';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { topology } from '@diplowatch/contracts';
import { EventPublisher } from '@diplowatch/messaging';
import { createPrismaClient } from '@diplowatch/persistence';
import { ArticlePublisher } from '../../apps/ingester/src/article-publisher';
import { KnownItems } from '../../apps/ingester/src/known-items';
import { FeedPoller } from '../../apps/ingester/src/polling/feed-poller';
import { FeedRegistry } from '../../apps/ingester/src/registry/feed-registry';
import { SeenArticles } from '../../apps/ingester/src/seen-articles.store';
import { benchPollerOptions } from './poller-options';

const [databaseUrl, namespace, name, concurrency, hostConcurrency] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const MB = 1024 * 1024;

async function main(): Promise<void> {
  const prisma = createPrismaClient(databaseUrl, 8);
  const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222', noAsyncTraces: true });
  const publisher = new EventPublisher(jetstream(nc), topology(namespace));
  const seen = await SeenArticles.open(nc, namespace);
  const articles = new ArticlePublisher({
    seen,
    publish: (event) => publisher.publish(event),
    knownItems: new KnownItems(),
  });
  const registry = new FeedRegistry(prisma);
  Logger.overrideLogger(['log', 'warn', 'error', 'fatal']);
  const logger = new Logger(name);
  logger.log = () => undefined;
  logger.debug = () => undefined;
  let poller: FeedPoller | null = null;
  let cpu = process.cpuUsage();
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 100);

  process.on('message', (message: { type: string; label?: string }) => {
    void (async () => {
      if (message.type === 'start') {
        poller = new FeedPoller(
          registry,
          articles,
          benchPollerOptions(`${name}-${message.label}`, Number(concurrency), Number(hostConcurrency)),
          {
            logger,
            onPoll: (report) =>
              process.send?.({
                type: 'polled',
                outcome: report.outcome,
                published: report.articles?.published ?? 0,
              }),
          },
        );
        cpu = process.cpuUsage();
        peakRss = process.memoryUsage.rss();
        poller.start();
      } else if (message.type === 'stop') {
        await poller?.stop();
        const used = process.cpuUsage(cpu);
        process.send?.({
          type: 'stopped',
          cpuSeconds: (used.user + used.system) / 1e6,
          peakRssMb: peakRss / MB,
        });
      } else if (message.type === 'close') {
        clearInterval(sampler);
        await nc.drain().catch(() => undefined);
        await prisma.$disconnect();
        process.exit(0);
      }
    })();
  });
  process.send?.({ type: 'ready' });
}

void main();
