/**
 * What the messaging code reports, as plain calls: libs/runtime implements it with
 * Prometheus metrics, and messaging stays free of any metrics library or Nest-specific code.
 * Call sites take it as optional: without it nothing is recorded.
 */
export type ConsumeOutcome = 'ack' | 'nak' | 'dead_letter';
export type PublishOutcome = 'stored' | 'duplicate' | 'error';

export type MessagingMetrics = {
  /** One message settled by a consumer. `eventType` is "undecodable" for messages that do not decode. */
  consumed(consumer: string, eventType: string, outcome: ConsumeOutcome): void;
  /** Time the handler took for one call (one message, or one batch in batch mode). */
  handled(consumer: string, seconds: number, messages: number): void;
  published(eventType: string, outcome: PublishOutcome): void;
  /** Messages the consumer has not been given yet, and those given but not acked yet. */
  consumerLag(consumer: string, pending: number, ackPending: number): void;
  /** Failures worth an alert: handler errors, dead-letter publish failures, lag polling errors. */
  error(kind: string): void;
};

/** Injection token under which an app provides MessagingMetrics to JetStreamService. */
export const MESSAGING_METRICS = Symbol('MESSAGING_METRICS');
