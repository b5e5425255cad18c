import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  type AlertPayload,
  type ChannelType,
  type RetryDecision,
  channelKey,
  channelSchema,
} from '@diplowatch/domain';
import { PrismaService } from '@diplowatch/persistence';

function currentKeys(channels: unknown): string[] {
  if (!Array.isArray(channels)) return [];
  return channels.flatMap((channel) => {
    const parsed = channelSchema.safeParse(channel);
    return parsed.success ? [channelKey(parsed.data)] : [];
  });
}

/** A delivery this worker holds the lease on, with what it needs to send. */
export type ClaimedDelivery = {
  id: bigint;
  alertId: string;
  subscriptionId: string;
  channelKey: string;
  channelType: ChannelType;
  target: string;
  receiverKey: string;
  /** This attempt's number since the delivery was (re)queued. */
  attempt: number;
  leaseToken: string;
  payload: AlertPayload;
  secretSealed: string;
  /** The channels the subscription has now (a delivery to a removed channel is cancelled). */
  currentChannelKeys: string[];
};

type ClaimRow = {
  id: bigint;
  alert_id: string;
  subscription_id: string;
  channel_key: string;
  channel_type: ChannelType;
  target: string;
  receiver_key: string;
  attempts: number;
  lease_token: string;
  payload: AlertPayload;
  secret_sealed: string;
  channels: unknown;
};

export type Completion = {
  delivery: ClaimedDelivery;
  decision: RetryDecision;
  status: number | null;
  error: string | null;
  startedAt: Date;
  durationMs: number;
};

/** The SQL side of delivery: claim due rows under a lease, record what each attempt did. */
@Injectable()
export class DeliveryStore {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Claims up to `limit` due deliveries: FOR UPDATE SKIP LOCKED, so replicas never claim the
   * same row, and a lease, so a claim dies with its worker. At most `perReceiver` minus what
   * this worker already has in flight for a receiver: one receiver's backlog cannot take every
   * slot, and the others' deliveries are claimed beside it.
   */
  async claim(args: {
    limit: number;
    perReceiver: number;
    inFlight: Map<string, number>;
    leaseMs: number;
  }): Promise<ClaimedDelivery[]> {
    const busyKeys = [...args.inFlight.keys()];
    const busyCounts = busyKeys.map((key) => args.inFlight.get(key)!);
    const token = randomUUID();
    const rows = await this.prisma.client.$queryRaw<ClaimRow[]>`
      WITH busy AS (
        SELECT * FROM unnest(${busyKeys}::text[], ${busyCounts}::int[]) AS b(receiver_key, in_flight)
      ),
      ranked AS (
        SELECT d.id, d.next_attempt_at,
               row_number() OVER (PARTITION BY d.receiver_key ORDER BY d.next_attempt_at, d.id) AS rank,
               coalesce(b.in_flight, 0) AS in_flight
        FROM alert_deliveries d LEFT JOIN busy b ON b.receiver_key = d.receiver_key
        WHERE d.state = 'pending' AND d.next_attempt_at <= now()
          AND (d.lease_until IS NULL OR d.lease_until < now())
      ),
      due AS (
        SELECT d.id FROM alert_deliveries d
        WHERE d.id IN (
          SELECT id FROM ranked WHERE rank + in_flight <= ${args.perReceiver}
          ORDER BY next_attempt_at, id LIMIT ${args.limit}
        )
        AND d.state = 'pending' AND (d.lease_until IS NULL OR d.lease_until < now())
        FOR UPDATE SKIP LOCKED
      ),
      claimed AS (
        UPDATE alert_deliveries d
        SET lease_until = now() + ${args.leaseMs} * interval '1 millisecond',
            lease_token = ${token}, attempts = d.attempts + 1, updated_at = now()
        FROM due WHERE d.id = due.id
        RETURNING d.*
      )
      SELECT c.id, c.alert_id, c.subscription_id, c.channel_key, c.channel_type, c.target, c.receiver_key,
             c.attempts, c.lease_token, a.payload, s.secret_sealed, s.channels
      FROM claimed c
      JOIN alerts a ON a.id = c.alert_id
      JOIN alert_subscriptions s ON s.id = c.subscription_id
      ORDER BY c.next_attempt_at, c.id`;
    return rows.map((row) => ({
      id: row.id,
      alertId: row.alert_id,
      subscriptionId: row.subscription_id,
      channelKey: row.channel_key,
      channelType: row.channel_type,
      target: row.target,
      receiverKey: row.receiver_key,
      attempt: row.attempts,
      leaseToken: row.lease_token,
      payload: row.payload,
      secretSealed: row.secret_sealed,
      currentChannelKeys: currentKeys(row.channels),
    }));
  }

  /**
   * Records the attempt in the log and settles the delivery, if this worker still holds the
   * lease (a worker that stalled past it has lost the delivery to another; its attempt is
   * still logged, as the receiver may have seen it). Completions are group-committed: one
   * statement for all that finished while the previous one was being written, so the cost
   * per delivery falls under load and nothing waits when idle.
   */
  complete(completion: Completion): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.completions.push({ completion, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private readonly completions: Array<{
    completion: Completion;
    resolve: () => void;
    reject: (error: unknown) => void;
  }> = [];
  private flushing = false;

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.completions.length > 0) {
      const batch = this.completions.splice(0, 500);
      try {
        await this.writeCompletions(batch.map((item) => item.completion));
        batch.forEach((item) => item.resolve());
      } catch (error) {
        batch.forEach((item) => item.reject(error));
      }
    }
    this.flushing = false;
  }

  private async writeCompletions(completions: Completion[]): Promise<void> {
    const rows = completions.map(({ delivery, decision, status, error, startedAt, durationMs }) => ({
      id: delivery.id.toString(),
      token: delivery.leaseToken,
      state: decision.action === 'dead' ? 'dead' : decision.action === 'delivered' ? 'delivered' : 'pending',
      delay_ms: decision.action === 'retry' ? decision.delayMs : 0,
      status,
      reason: decision.action === 'delivered' ? null : decision.reason.slice(0, 1000),
      attempt: delivery.attempt,
      started_at: startedAt.toISOString(),
      duration_ms: durationMs,
      outcome: decision.action === 'delivered' ? 'delivered' : 'failed',
      error: error?.slice(0, 1000) ?? null,
    }));
    await this.prisma.client.$executeRaw`
      WITH input AS (
        SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(
          id bigint, token text, state text, delay_ms int, status int, reason text,
          attempt int, started_at timestamptz, duration_ms int, outcome text, error text)
      ),
      settled AS (
        UPDATE alert_deliveries d
        SET state = i.state,
            next_attempt_at = CASE WHEN i.state = 'pending' THEN now() + i.delay_ms * interval '1 millisecond' ELSE d.next_attempt_at END,
            delivered_at = CASE WHEN i.state = 'delivered' THEN now() ELSE d.delivered_at END,
            last_status = i.status,
            last_error = i.reason,
            lease_until = NULL, lease_token = NULL, updated_at = now()
        FROM input i
        WHERE d.id = i.id AND d.lease_token = i.token
        RETURNING d.id
      )
      INSERT INTO alert_delivery_attempts (delivery_id, attempt, started_at, duration_ms, outcome, status, error)
      SELECT id, attempt, started_at, duration_ms, outcome, status, error FROM input`;
  }

  /** A delivery whose channel was removed from the subscription is not sent. */
  async cancel(delivery: ClaimedDelivery, reason: string): Promise<void> {
    await this.prisma.client.$executeRaw`
      UPDATE alert_deliveries
      SET state = 'cancelled', last_error = ${reason}, lease_until = NULL, lease_token = NULL, updated_at = now()
      WHERE id = ${delivery.id} AND lease_token = ${delivery.leaseToken}`;
  }
}
