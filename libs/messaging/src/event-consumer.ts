import {
  type Consumer,
  type ConsumerMessages,
  JetStreamApiError,
  type JetStreamClient,
  type JsMsg,
} from '@nats-io/jetstream';
import { errors as natsErrors, headers as natsHeaders } from '@nats-io/transport-node';
import { EventDecodeError, type NewsEvent, type Topology, decodeEvent } from '@diplowatch/contracts';
import { type MessagingMetrics } from './messaging-metrics';

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

/**
 * Whether an error says the log cannot take a publish now — full at a limit (discard: new), out
 * of storage, or not answering — rather than anything about the message being handled. Such a
 * message is held and retried in place (see EventConsumer), never counted toward dead-lettering:
 * a full log for longer than the retry budget must not send every article to the DLQ.
 */
export function isBackPressure(error: unknown): boolean {
  if (error instanceof JetStreamApiError) {
    // 10077 "maximum messages|bytes|messages per subject exceeded"; 10047/10023: storage or
    // account resources used up. (A payload over max_payload is refused before this, by the client.)
    return (
      (error.code === 10077 && /exceeded/i.test(error.message)) ||
      error.code === 10047 ||
      error.code === 10023
    );
  }
  // No server answered for the stream (nats.js calls that JetStreamNotEnabled and does not
  // export the class), or none answered in time. NATS's own errors only: a handler's other
  // timeouts (an HTTP call, say) are ordinary failures.
  return (
    error instanceof natsErrors.TimeoutError ||
    error instanceof natsErrors.NoRespondersError ||
    (error instanceof Error && error.name === 'JetStreamNotEnabled')
  );
}

/** Resets the message's ack_wait; a lost connection is no reason to stop waiting. */
function inProgress(msg: JsMsg): void {
  try {
    msg.working();
  } catch {
    // Redelivered after ack_wait instead; handling it twice is harmless (idempotent ids).
  }
}

/** Longest wait between two attempts at messages held back by a full log. */
const MAX_HOLD_DELAY_MS = 15_000;
/** How often held and queued messages are marked in progress: at most this, and thrice per ack_wait. */
const KEEP_ALIVE_MS = 5000;

export type EventHandler = (consumed: ConsumedEvent) => Promise<void>;

/** One message of a batch that the handler did not apply: it is retried (or dead-lettered) alone. */
export type BatchFailure = { streamSequence: number; error: Error };

/**
 * Batch mode: the handler gets the messages in delivery order and applies them together
 * (one transaction, say). Every message not listed in `failures` is acked once it resolves.
 */
export type BatchEventHandler = (batch: ConsumedEvent[]) => Promise<{ failures?: BatchFailure[] } | void>;

export type ConsumerLogger = {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
};

type CommonOptions = {
  js: JetStreamClient;
  topology: Topology;
  durable: string;
  logger: ConsumerLogger;
  /** Must match the consumer's max_deliver: the last delivery dead-letters instead of retrying. */
  maxDeliver: number;
  /** Messages requested per pull. */
  batchSize?: number;
  /** Counts, latencies and lag; nothing is recorded without it. */
  metrics?: MessagingMetrics;
  /** How often the consumer's lag (num_pending) is read for `metrics`. */
  lagPollMs?: number;
};

export type RunConsumerOptions = CommonOptions &
  (
    | { handler: EventHandler; batchHandler?: undefined }
    | {
        handler?: undefined;
        batchHandler: BatchEventHandler;
        /** Most messages handed over in one call. */
        maxBatch?: number;
        /** With fewer than maxBatch waiting, how long to wait for more before handling them. */
        lingerMs?: number;
      }
  );

/** Delay before a failed message is redelivered: 1 s, 2 s, 4 s … capped at 60 s. */
export function retryDelayMs(deliveryCount: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.max(0, deliveryCount - 1));
}

type Decoded = { msg: JsMsg; consumed: ConsumedEvent };

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
  private lagTimer: NodeJS.Timeout | undefined;
  /** Batch mode: messages delivered and not handled yet, in delivery order. */
  private readonly queue: JsMsg[] = [];
  private wake: (() => void) | undefined;
  /** Ends a wait for room in the log early, on stop(). */
  private interruptHold: (() => void) | undefined;
  private keepAliveMs = KEEP_ALIVE_MS;

  constructor(private readonly options: RunConsumerOptions) {}

  async start(): Promise<void> {
    const { js, topology, durable, batchSize } = this.options;
    const consumer = await js.consumers.get(topology.eventStream, durable);
    const ackWaitMs = ((await consumer.info(true)).config.ack_wait ?? 0) / 1e6;
    if (ackWaitMs > 0) this.keepAliveMs = Math.min(KEEP_ALIVE_MS, ackWaitMs / 3);
    this.startLagPolling(consumer);
    if (this.options.batchHandler) {
      const batchHandler = this.options.batchHandler;
      // The callback form is the fastest way to receive (see DESIGN.md); handling is async,
      // so the callback only queues and the loop below takes what has arrived.
      this.messages = await consumer.consume({
        max_messages: batchSize ?? 1000,
        callback: (msg) => {
          this.queue.push(msg);
          this.wake?.();
        },
      });
      this.loop = this.runBatches(batchHandler).catch((error: unknown) => {
        this.options.logger.error(`consumer ${durable} stopped: ${(error as Error).message}`);
      });
      return;
    }
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

  /** Stops pulling, lets the message (or batch) in hand finish and be acked, then returns. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.lagTimer) clearInterval(this.lagTimer);
    this.interruptHold?.();
    await this.messages?.close();
    this.wake?.();
    await this.loop;
  }

  private startLagPolling(consumer: Consumer): void {
    const { metrics, durable, lagPollMs } = this.options;
    if (!metrics) return;
    const poll = async () => {
      try {
        const info = await consumer.info();
        metrics.consumerLag(durable, info.num_pending, info.num_ack_pending);
      } catch {
        metrics.error('consumer_lag_poll');
      }
    };
    void poll();
    this.lagTimer = setInterval(() => void poll(), lagPollMs ?? 5000);
    this.lagTimer.unref();
  }

  private async runBatches(handler: BatchEventHandler): Promise<void> {
    const options = this.options as Extract<RunConsumerOptions, { batchHandler: BatchEventHandler }>;
    const maxBatch = options.maxBatch ?? 500;
    const lingerMs = options.lingerMs ?? 0;
    while (!this.stopping) {
      if (this.queue.length === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      if (lingerMs > 0 && this.queue.length < maxBatch) {
        await new Promise((resolve) => setTimeout(resolve, lingerMs));
      }
      const batch = this.queue.splice(0, maxBatch);
      this.inFlight += batch.length;
      try {
        await this.handleBatch(batch, handler);
      } finally {
        this.inFlight -= batch.length;
        this.lastProgressAt = Date.now();
      }
    }
    // Delivered but not handled: back to the server at once rather than after ack_wait.
    for (const msg of this.queue.splice(0)) msg.nak();
  }

  private async handleBatch(batch: JsMsg[], handler: BatchEventHandler): Promise<void> {
    const decoded: Decoded[] = [];
    for (const msg of batch) {
      const event = await this.decodeOrDeadLetter(msg);
      if (event) decoded.push({ msg, consumed: this.consumedOf(msg, event) });
    }
    if (decoded.length > 0) await this.applyBatch(decoded, handler);
  }

  private async applyBatch(decoded: Decoded[], handler: BatchEventHandler, held = 0): Promise<void> {
    const { durable, logger, metrics } = this.options;
    const started = performance.now();
    let failures: Map<number, Error>;
    try {
      const result = await handler(decoded.map((d) => d.consumed));
      failures = new Map((result?.failures ?? []).map((f) => [f.streamSequence, f.error]));
    } catch (error) {
      if (isBackPressure(error)) {
        await this.holdAndRetry(decoded, error as Error, held + 1, (again) =>
          this.applyBatch(again, handler, held + 1),
        );
        return;
      }
      metrics?.error('handler');
      if (decoded.length > 1) {
        // One bad message must not hold back the others: retry them one at a time.
        logger.warn(
          `${durable}: batch of ${decoded.length} failed (${(error as Error).message}); applying one by one`,
        );
        for (const item of decoded) await this.applyBatch([item], handler);
        return;
      }
      await this.settleFailure(decoded[0]!.msg, decoded[0]!.consumed.event, error);
      return;
    }
    metrics?.handled(durable, (performance.now() - started) / 1000, decoded.length);
    const waiting: Decoded[] = [];
    let cause: Error | undefined;
    for (const item of decoded) {
      const failure = failures.get(item.consumed.streamSequence);
      if (failure && isBackPressure(failure)) {
        waiting.push(item);
        cause = failure;
      } else if (failure) {
        await this.settleFailure(item.msg, item.consumed.event, failure);
      } else {
        item.msg.ack();
        metrics?.consumed(durable, item.consumed.event.type, 'ack');
      }
    }
    if (waiting.length > 0) {
      await this.holdAndRetry(waiting, cause!, held + 1, (again) =>
        this.applyBatch(again, handler, held + 1),
      );
    }
  }

  /**
   * Back-pressure: the log refused what handling these messages publishes. They are not the
   * cause, so they are neither nak'ed (each redelivery counts toward max_deliver, and the last
   * one dead-letters) nor dead-lettered: the consumer keeps them, marks them (and the messages
   * queued behind them) in progress so they are not redelivered meanwhile, waits 1 s, 2 s … 15 s,
   * and tries again, for as long as the log stays full. Nothing else is handled meanwhile — the
   * stage slows to what the log can take. On stop they are released for redelivery.
   */
  private async holdAndRetry(
    waiting: Decoded[],
    cause: Error,
    attempt: number,
    retry: (waiting: Decoded[]) => Promise<void>,
  ): Promise<void> {
    const { durable, logger, metrics } = this.options;
    metrics?.error('backpressure');
    const delay = Math.min(MAX_HOLD_DELAY_MS, 1000 * 2 ** Math.min(attempt - 1, 10));
    // The first hold and then about one a minute: a full log can last hours.
    if (attempt === 1 || attempt % 4 === 0) {
      logger.warn(
        `${durable}: the log refused publishes (${cause.message}); holding ${waiting.length} message(s), attempt ${attempt}, next in ${delay} ms`,
      );
    }
    const deadline = Date.now() + delay;
    while (!this.stopping && Date.now() < deadline) {
      // (Batch mode keeps its queue alive too; the single-message loop's client buffer is small.)
      for (const msg of [...waiting.map((item) => item.msg), ...this.queue]) inProgress(msg);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(this.keepAliveMs, deadline - Date.now()));
        this.interruptHold = () => (clearTimeout(timer), resolve());
      });
      this.interruptHold = undefined;
    }
    if (this.stopping) {
      for (const { msg } of waiting) msg.nak();
      return;
    }
    await retry(waiting);
  }

  private consumedOf(msg: JsMsg, event: NewsEvent): ConsumedEvent {
    return { event, streamSequence: msg.seq, deliveryCount: msg.info.deliveryCount };
  }

  /** The event, or null once an undecodable message is dead-lettered. */
  private async decodeOrDeadLetter(msg: JsMsg): Promise<NewsEvent | null> {
    try {
      return decodeEvent(msg.data);
    } catch (error) {
      const reason = error instanceof EventDecodeError ? error.message : String(error);
      await this.deadLetter(msg, reason, 'undecodable');
      return null;
    }
  }

  private async handle(msg: JsMsg, held = 0): Promise<void> {
    const { durable, metrics } = this.options;
    const event = await this.decodeOrDeadLetter(msg);
    if (!event) return;
    const started = performance.now();
    try {
      await this.options.handler!(this.consumedOf(msg, event));
      metrics?.handled(durable, (performance.now() - started) / 1000, 1);
      msg.ack();
      metrics?.consumed(durable, event.type, 'ack');
    } catch (error) {
      if (isBackPressure(error)) {
        const item = { msg, consumed: this.consumedOf(msg, event) };
        await this.holdAndRetry([item], error as Error, held + 1, () => this.handle(msg, held + 1));
        return;
      }
      metrics?.error('handler');
      await this.settleFailure(msg, event, error);
    }
  }

  /** A failed message: dead-lettered if it can never succeed or has no deliveries left, else nak'ed. */
  private async settleFailure(msg: JsMsg, event: NewsEvent, error: unknown): Promise<void> {
    const { logger, durable, maxDeliver, metrics } = this.options;
    const message = (error as Error).message ?? String(error);
    if (error instanceof PermanentEventError || msg.info.deliveryCount >= maxDeliver) {
      await this.deadLetter(msg, `${durable} failed on ${event.type} ${event.id}: ${message}`, event.type);
      return;
    }
    const delay = retryDelayMs(msg.info.deliveryCount);
    logger.warn(
      `${durable}: ${event.type} ${event.id} failed (delivery ${msg.info.deliveryCount}), retry in ${delay} ms: ${message}`,
    );
    msg.nak(delay);
    metrics?.consumed(durable, event.type, 'nak');
  }

  private async deadLetter(msg: JsMsg, reason: string, eventType: string): Promise<void> {
    const { js, topology, durable, logger, metrics } = this.options;
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
      metrics?.consumed(durable, eventType, 'dead_letter');
    } catch (error) {
      // Could not park it: leave it to be redelivered rather than lose it.
      logger.error(`${durable}: dead-letter publish failed: ${(error as Error).message}`);
      metrics?.error('dead_letter_publish');
      msg.nak(5000);
    }
  }
}
