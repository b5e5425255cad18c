import { type JetStreamClient } from '@nats-io/jetstream';
import { type NewsEvent, type Topology, encodeEvent } from '@diplowatch/contracts';
import { type MessagingMetrics } from './messaging-metrics';

export type PublishResult = { seq: number; duplicate: boolean };

/**
 * Publishes events to the log with `Nats-Msg-Id` = event id, so a re-publish after a crash
 * (same facts, same id) is dropped by JetStream's duplicate window.
 */
export class EventPublisher {
  constructor(
    private readonly js: JetStreamClient,
    private readonly topology: Topology,
    private readonly metrics?: MessagingMetrics,
  ) {}

  async publish(event: NewsEvent): Promise<PublishResult> {
    let ack;
    try {
      ack = await this.js.publish(this.topology.subjectFor(event.type), encodeEvent(event), {
        msgID: event.id,
        expect: { streamName: this.topology.eventStream },
        timeout: 10_000,
      });
    } catch (error) {
      this.metrics?.published(event.type, 'error');
      throw error;
    }
    this.metrics?.published(event.type, ack.duplicate ? 'duplicate' : 'stored');
    return { seq: ack.seq, duplicate: ack.duplicate };
  }

  /** Publishes many with bounded concurrency; resolves once every one is acknowledged. */
  async publishAll(events: NewsEvent[], inFlight = 64): Promise<PublishResult[]> {
    const results: PublishResult[] = new Array<PublishResult>(events.length);
    let next = 0;
    const worker = async () => {
      while (next < events.length) {
        const index = next++;
        results[index] = await this.publish(events[index]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(inFlight, events.length) }, worker));
    return results;
  }
}
