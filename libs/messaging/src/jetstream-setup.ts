import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiError,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { type Topology } from '@diplowatch/contracts';

const NANOS_PER_SECOND = 1_000_000_000;

export type StreamSettings = {
  duplicateWindowSeconds: number;
  /** 0 keeps events forever: the log is the source of truth and read models are rebuilt from it. */
  maxAgeDays: number;
  replicas?: number;
  /**
   * Size limits of the event log; unset = none (the server's storage is the limit). A full log
   * refuses new messages (discard: new): publishers get an error and retry, nothing stored is
   * dropped. Set only by operators and tests; apps leave a limit set on the server alone.
   */
  maxBytes?: number;
  maxMessages?: number;
};

function isNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && (error.code === 404 || /not found/i.test(error.message));
}

async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }) {
  try {
    const info = await jsm.streams.info(config.name);
    // Only settings that can be changed in place are updated; storage and retention are fixed at creation.
    const { storage: _s, retention: _r, ...updatable } = config;
    const current = info.config;
    const changed = Object.entries(updatable).some(
      ([key, value]) => JSON.stringify(current[key as keyof StreamConfig]) !== JSON.stringify(value),
    );
    if (changed) await jsm.streams.update(config.name, { ...current, ...updatable });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.streams.add(config);
  }
}

/** Creates or updates the event log and the dead-letter stream. Safe to run from every replica. */
export async function ensureStreams(jsm: JetStreamManager, topology: Topology, settings: StreamSettings) {
  const replicas = settings.replicas ?? 1;
  await ensureStream(jsm, {
    name: topology.eventStream,
    subjects: [topology.eventSubjects],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    // The log is the source of truth: at a size limit, refuse new events (the publisher gets an
    // error and retries) rather than silently dropping the oldest (discard: old).
    discard: DiscardPolicy.New,
    max_age: settings.maxAgeDays * 24 * 3600 * NANOS_PER_SECOND,
    duplicate_window: settings.duplicateWindowSeconds * NANOS_PER_SECOND,
    num_replicas: replicas,
    ...(settings.maxBytes !== undefined ? { max_bytes: settings.maxBytes } : {}),
    ...(settings.maxMessages !== undefined ? { max_msgs: settings.maxMessages } : {}),
  });
  await ensureStream(jsm, {
    name: topology.deadLetterStream,
    subjects: [topology.deadLetterSubjects],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    // Same reasoning: a dead letter is only ever removed by age (30 days), never to make room.
    discard: DiscardPolicy.New,
    max_age: 30 * 24 * 3600 * NANOS_PER_SECOND,
    num_replicas: replicas,
  });
}

export type DurableConsumerSpec = {
  stream: string;
  durable: string;
  /** Subjects this consumer reads; all of the stream when omitted. */
  filterSubject?: string;
  ackWaitSeconds?: number;
  maxAckPending?: number;
  /** Deliveries before the consumer gives up on a message and dead-letters it. */
  maxDeliver: number;
};

/**
 * Idempotent: the first replica creates the durable consumer, the others find it. Replicas
 * share it, so JetStream hands each message to one of them.
 */
export async function ensureDurableConsumer(jsm: JetStreamManager, spec: DurableConsumerSpec) {
  const config = {
    durable_name: spec.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: (spec.ackWaitSeconds ?? 30) * NANOS_PER_SECOND,
    max_ack_pending: spec.maxAckPending ?? 1000,
    max_deliver: spec.maxDeliver,
    ...(spec.filterSubject ? { filter_subject: spec.filterSubject } : {}),
  };
  try {
    const info = await jsm.consumers.info(spec.stream, spec.durable);
    const { deliver_policy: _d, durable_name: _n, ack_policy: _a, ...updatable } = config;
    const changed = Object.entries(updatable).some(
      ([key, value]) =>
        JSON.stringify(info.config[key as keyof typeof info.config]) !== JSON.stringify(value),
    );
    if (changed) await jsm.consumers.update(spec.stream, spec.durable, updatable);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    try {
      await jsm.consumers.add(spec.stream, config);
    } catch (addError) {
      // Another replica created it between our info and add: that is the same consumer.
      if (!/already (exists|in use)/i.test((addError as Error).message)) throw addError;
    }
  }
}
