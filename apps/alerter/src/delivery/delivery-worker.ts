import { Inject, Injectable, Logger } from '@nestjs/common';
import { headers as natsHeaders } from '@nats-io/transport-node';
import {
  ALERT_ID_HEADER,
  type AttemptOutcome,
  type RetryPolicy,
  alertBody,
  alertTopology,
  decideRetry,
  openSecret,
  signatureHeaders,
} from '@diplowatch/domain';
import { JetStreamService } from '@diplowatch/messaging';
import { type ClaimedDelivery, DeliveryStore } from './delivery-store';
import { ReceiverClient, ReceiverError } from './receiver-client';

export const DELIVERY_OPTIONS = Symbol('DELIVERY_OPTIONS');
export type DeliveryOptions = {
  concurrency: number;
  perReceiverConcurrency: number;
  pollIntervalMs: number;
  attemptTimeoutMs: number;
  retry: RetryPolicy;
  secretKey: Buffer;
};

/**
 * Sends pending deliveries. Each runs on its own (never one after another), up to
 * `concurrency` at once and `perReceiverConcurrency` per receiver, so a slow or failing
 * receiver only ever holds its own slots. Woken at once when alerts are stored (in this
 * process or, over NATS, in another replica), otherwise polling for retries that fell due.
 */
@Injectable()
export class DeliveryWorker {
  private readonly logger = new Logger('Delivery');
  private readonly inFlight = new Map<string, number>();
  private readonly running = new Set<Promise<void>>();
  private readonly secrets = new Map<string, string>();
  private stopping = false;
  private pending = true;
  private signal: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly leaseMs: number;

  constructor(
    private readonly store: DeliveryStore,
    private readonly client: ReceiverClient,
    private readonly jetstream: JetStreamService,
    @Inject(DELIVERY_OPTIONS) private readonly options: DeliveryOptions,
  ) {
    // Long enough for any attempt to finish and be recorded; short enough that a crashed
    // worker's deliveries are retried soon by the next one.
    this.leaseMs = options.attemptTimeoutMs + 5000;
  }

  start(): void {
    this.stopping = false;
    this.pending = true;
    this.loop = this.run().catch((error: unknown) => {
      this.logger.error(`delivery loop stopped: ${(error as Error).message}`);
    });
  }

  /** Something may be due now. Cheap; safe to call often. */
  wake(): void {
    this.pending = true;
    this.signal?.();
  }

  get inFlightCount(): number {
    return this.running.size;
  }

  /** Stops claiming and lets the attempts in flight finish (their leases cover the rest). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.signal?.();
    await this.loop;
    await Promise.allSettled([...this.running]);
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const free = this.options.concurrency - this.running.size;
      if (this.pending && free > 0) {
        this.pending = false;
        let claimed: ClaimedDelivery[] = [];
        try {
          claimed = await this.store.claim({
            limit: free,
            perReceiver: this.options.perReceiverConcurrency,
            inFlight: this.inFlight,
            leaseMs: this.leaseMs,
          });
        } catch (error) {
          this.logger.warn(`claiming deliveries failed: ${(error as Error).message}`);
        }
        for (const delivery of claimed) this.launch(delivery);
        // A full batch may have left more behind.
        if (claimed.length === free) this.pending = true;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.pending = true;
          resolve();
        }, this.options.pollIntervalMs);
        this.signal = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.signal = undefined;
    }
  }

  private launch(delivery: ClaimedDelivery): void {
    const key = delivery.receiverKey;
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
    const task = this.deliver(delivery)
      .catch((error: unknown) => {
        // The lease lapses and another attempt follows: nothing is lost.
        this.logger.error(`delivery ${delivery.id} could not be recorded: ${(error as Error).message}`);
      })
      .finally(() => {
        const left = (this.inFlight.get(key) ?? 1) - 1;
        if (left > 0) this.inFlight.set(key, left);
        else this.inFlight.delete(key);
        this.running.delete(task);
        // A slot is free (and a receiver may be below its limit again).
        this.wake();
      });
    this.running.add(task);
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    if (!delivery.currentChannelKeys.includes(delivery.channelKey)) {
      await this.store.cancel(delivery, 'the channel was removed from the subscription');
      return;
    }
    const startedAt = new Date();
    const outcome = await this.attempt(delivery);
    const durationMs = Date.now() - startedAt.getTime();
    const decision = decideRetry(outcome, delivery.attempt, this.options.retry);
    if (decision.action === 'retry') {
      this.logger.debug?.(
        `${delivery.alertId} → ${delivery.channelType} ${delivery.receiverKey}: attempt ${delivery.attempt} failed (${decision.reason}); retry in ${decision.delayMs} ms`,
      );
    } else if (decision.action === 'dead') {
      this.logger.warn(
        `${delivery.alertId} → ${delivery.channelType} ${delivery.receiverKey}: dead-lettered: ${decision.reason}`,
      );
    }
    await this.store.complete({
      delivery,
      decision,
      status: outcome.status,
      error: outcome.ok ? null : outcome.message,
      startedAt,
      durationMs,
    });
  }

  private async attempt(delivery: ClaimedDelivery): Promise<AttemptOutcome> {
    const body = alertBody(delivery.channelType, delivery.payload);
    try {
      if (delivery.channelType === 'nats') {
        await this.publishToNats(delivery, body);
        return { ok: true, status: 200 };
      }
      const timestamp = Math.floor(Date.now() / 1000);
      const response = await this.client.post(delivery.target, body, {
        [ALERT_ID_HEADER]: delivery.alertId,
        'Diplowatch-Subscription-Id': delivery.subscriptionId,
        ...signatureHeaders(this.secretOf(delivery), timestamp, body),
      });
      return { ok: true, status: response.status };
    } catch (error) {
      if (error instanceof ReceiverError) {
        return {
          ok: false,
          code: error.code,
          status: error.status,
          message: error.message,
          retryAfterSeconds: error.retryAfterSeconds,
        };
      }
      return { ok: false, code: 'internal', status: null, message: (error as Error).message };
    }
  }

  /** JetStream, with the alert id as Nats-Msg-Id: a repeat within the duplicate window is dropped. */
  private async publishToNats(delivery: ClaimedDelivery, body: string): Promise<void> {
    const topology = alertTopology(this.jetstream.topology.namespace);
    const headers = natsHeaders();
    headers.set(ALERT_ID_HEADER, delivery.alertId);
    headers.set('Diplowatch-Subscription-Id', delivery.subscriptionId);
    await this.jetstream.js.publish(topology.alertSubjectFor(delivery.subscriptionId), body, {
      msgID: delivery.alertId,
      headers,
      timeout: this.options.attemptTimeoutMs,
    });
  }

  private secretOf(delivery: ClaimedDelivery): string {
    let secret = this.secrets.get(delivery.secretSealed);
    if (secret === undefined) {
      secret = openSecret(delivery.secretSealed, this.options.secretKey);
      this.secrets.set(delivery.secretSealed, secret);
    }
    return secret;
  }
}
