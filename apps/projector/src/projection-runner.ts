import { type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { type Topology } from '@diplowatch/contracts';
import {
  type ConsumerLogger,
  EventConsumer,
  type MessagingMetrics,
  ensureDurableConsumer,
} from '@diplowatch/messaging';
import { type ReadModelWriter } from './read-model.writer';

export const MAX_DELIVER = 20;
/** Most events applied in one transaction. */
export const MAX_BATCH = 500;

export type ProjectionRunnerOptions = {
  js: JetStreamClient;
  jsm: JetStreamManager;
  topology: Topology;
  durable: string;
  writer: ReadModelWriter;
  logger: ConsumerLogger;
  metrics?: MessagingMetrics;
};

/**
 * The whole log into the read models: a durable consumer over every subject, in batch mode
 * (what has arrived, up to MAX_BATCH, one transaction each). The live projector and
 * `npm run rebuild` both run it, with different durables and databases or schemas.
 */
export async function startReadModelProjection(options: ProjectionRunnerOptions): Promise<EventConsumer> {
  const { js, jsm, topology, durable, writer, logger, metrics } = options;
  await ensureDurableConsumer(jsm, {
    stream: topology.eventStream,
    durable,
    maxDeliver: MAX_DELIVER,
    ackWaitSeconds: 30,
    maxAckPending: 4 * MAX_BATCH,
  });
  const consumer = new EventConsumer({
    js,
    topology,
    durable,
    maxDeliver: MAX_DELIVER,
    logger,
    metrics,
    maxBatch: MAX_BATCH,
    batchSize: 2 * MAX_BATCH,
    batchHandler: (batch) => writer.applyBatch(batch),
  });
  await consumer.start();
  return consumer;
}
