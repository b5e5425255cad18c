import { type ConsumerMessages, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { EventDecodeError, type NewsEvent, type Topology, decodeEvent } from '@diplowatch/contracts';

export type ConsumedEvent = {
  event: NewsEvent;
  /** Position in the stream: projections store it as their checkpoint. */
  streamSequence: number;
  deliveryCount: number;
};

/** Thrown by a handler for a message that can never succeed (dead-lettered at once, not retried). */
export class PermanentEventError extends Error {
  readonly code = 'PERMANENT_EVENT_ERROR';
}

export type EventHandler = (consumed: ConsumedEvent) => Promise<void>;

export type ConsumerLogger = {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
};

export type RunConsumerOptions = {
  js: JetStreamClient;
  topology: Topology;
  durable: string;
  handler: EventHandler;
  logger: ConsumerLogger;
  /** Must match the consumer's max_deliver: the last delivery dead-letters instead of retrying. */
  maxDeliver: number;
  /** Messages requested per pull. */
  batchSize?: number;
};

/** Delay before a failed message is redelivered: 1 s, 2 s, 4 s … capped at 60 s. */
export function retryDelayMs(deliveryCount: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.max(0, deliveryCount - 1));
}

/**
 * A pull-consumer loop with explicit acks. A message that cannot be decoded, or that keeps
 * failing, goes to the dead-letter stream with the reason and is acked: one bad message
 * never crashes or stalls the consumer. Transient failures are nak'ed with a backoff.
 */
export class EventConsumer {
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private inFlight = 0;
  private lastProgressAt = Date.now();

  constructor(private readonly options: RunConsumerOptions) {}

  async start(): Promise<void> {
    const { js, topology, durable, batchSize } = this.options;
    const consumer = await js.consumers.get(topology.eventStream, durable);
    this.messages = await consumer.consume({ max_messages: batchSize ?? 256 });
    const messages = this.messages;
    this.loop = (async () => {
      for await (const msg of messages) {
        this.inFlight++;
        try {
          await this.handle(msg);
        } finally {
          this.inFlight--;
          this.lastProgressAt = Date.now();
        }
        if (this.stopping) break;
      }
    })().catch((error: unknown) => {
      this.options.logger.error(`consumer ${durable} stopped: ${(error as Error).message}`);
    });
  }

  get busy(): boolean {
    return this.inFlight > 0;
  }

  get idleForMs(): number {
    return Date.now() - this.lastProgressAt;
  }

  /** Stops pulling, lets the message in hand finish and be acked, then returns. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.messages?.close();
    await this.loop;
  }

  private async handle(msg: JsMsg): Promise<void> {
    const { logger, durable, maxDeliver } = this.options;
    let event: NewsEvent;
    try {
      event = decodeEvent(msg.data);
    } catch (error) {
      const reason = error instanceof EventDecodeError ? error.message : String(error);
      await this.deadLetter(msg, reason);
      return;
    }
    try {
      await this.options.handler({ event, streamSequence: msg.seq, deliveryCount: msg.info.deliveryCount });
      msg.ack();
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      if (error instanceof PermanentEventError || msg.info.deliveryCount >= maxDeliver) {
        await this.deadLetter(msg, `${durable} failed on ${event.type} ${event.id}: ${message}`);
        return;
      }
      const delay = retryDelayMs(msg.info.deliveryCount);
      logger.warn(
        `${durable}: ${event.type} ${event.id} failed (delivery ${msg.info.deliveryCount}), retry in ${delay} ms: ${message}`,
      );
      msg.nak(delay);
    }
  }

  private async deadLetter(msg: JsMsg, reason: string): Promise<void> {
    const { js, topology, durable, logger } = this.options;
    const hdrs = natsHeaders();
    hdrs.set('Dw-Dead-Letter-Reason', reason.slice(0, 1000).replace(/[\r\n]+/g, ' '));
    hdrs.set('Dw-Original-Subject', msg.subject);
    hdrs.set('Dw-Original-Stream', msg.info.stream);
    hdrs.set('Dw-Original-Sequence', String(msg.seq));
    hdrs.set('Dw-Consumer', durable);
    try {
      await js.publish(topology.deadLetterSubjectFor(durable), msg.data, {
        headers: hdrs,
        // One dead letter per (consumer, message), even if the ack below is lost and it comes back.
        msgID: `${durable}:${msg.info.stream}:${msg.seq}`,
      });
      logger.warn(`${durable}: dead-lettered stream seq ${msg.seq}: ${reason}`);
      msg.ack();
    } catch (error) {
      // Could not park it: leave it to be redelivered rather than lose it.
      logger.error(`${durable}: dead-letter publish failed: ${(error as Error).message}`);
      msg.nak(5000);
    }
  }
}
