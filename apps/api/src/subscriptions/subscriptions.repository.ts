import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  type AlertPayload,
  type Channel,
  type CreateSubscription,
  type SubscriptionStatus,
  type UpdateSubscription,
  channelSchema,
  displayTarget,
  planDeliveries,
} from '@diplowatch/domain';
import { type Prisma, PrismaService } from '@diplowatch/persistence';
import { z } from 'zod';

type SubscriptionRow = Prisma.AlertSubscriptionGetPayload<object>;

const channelsSchema = z.array(channelSchema);

function channelsOf(row: { channels: unknown }): Channel[] {
  const parsed = channelsSchema.safeParse(row.channels);
  return parsed.success ? parsed.data : [];
}

export function presentSubscription(row: SubscriptionRow, namespace: string) {
  const channels = channelsOf(row);
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    filter: row.filter,
    options: row.options,
    // Slack and Teams URLs are credentials: shown by origin only (see displayTarget).
    channels: channels.map((channel) => ({ type: channel.type, target: displayTarget(channel) })),
    stream: `/subscriptions/${row.id}/stream`,
    natsSubject: channels.some((channel) => channel.type === 'nats') ? `${namespace}.alerts.${row.id}` : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export type DeliveryListQuery = { state?: string; limit: number; before?: bigint };

/** Subscriptions, their alerts and deliveries, always scoped to the owner's API key. */
@Injectable()
export class SubscriptionsRepository {
  constructor(private readonly prisma: PrismaService) {}

  newId(): string {
    return `sub_${randomBytes(12).toString('hex')}`;
  }

  create(owner: string, input: CreateSubscription, secretSealed: string, now: Date) {
    return this.prisma.client.alertSubscription.create({
      data: {
        id: this.newId(),
        ownerKeyId: owner,
        name: input.name,
        filter: input.filter,
        options: input.options,
        channels: input.channels,
        status: 'active',
        secretSealed,
        createdAt: now,
        updatedAt: now,
      },
    });
  }

  list(owner: string) {
    return this.prisma.client.alertSubscription.findMany({
      where: { ownerKeyId: owner },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    });
  }

  get(owner: string, id: string) {
    return this.prisma.client.alertSubscription.findFirst({ where: { id, ownerKeyId: owner } });
  }

  /** Null when the owner has no such subscription. */
  async update(
    owner: string,
    id: string,
    patch: UpdateSubscription & { status?: SubscriptionStatus; secretSealed?: string },
  ) {
    const data: Prisma.AlertSubscriptionUpdateManyMutationInput = { updatedAt: new Date() };
    if (patch.name !== undefined) data.name = patch.name;
    if (patch.filter !== undefined) data.filter = patch.filter;
    if (patch.options !== undefined) data.options = patch.options;
    if (patch.channels !== undefined) data.channels = patch.channels;
    if (patch.status !== undefined) data.status = patch.status;
    if (patch.secretSealed !== undefined) data.secretSealed = patch.secretSealed;
    const { count } = await this.prisma.client.alertSubscription.updateMany({
      where: { id, ownerKeyId: owner },
      data,
    });
    return count === 0 ? null : this.get(owner, id);
  }

  async remove(owner: string, id: string): Promise<boolean> {
    const { count } = await this.prisma.client.alertSubscription.deleteMany({
      where: { id, ownerKeyId: owner },
    });
    return count > 0;
  }

  /**
   * A sample alert with its deliveries, numbered under the subscription's row lock like the
   * alerter's alerts (so SSE streams see numbers in order).
   */
  async storeSample(row: SubscriptionRow, payload: AlertPayload, now: Date) {
    return this.prisma.client.$transaction(
      async (tx) => {
        const [locked] = await tx.$queryRaw<Array<{ last_alert_seq: number; channels: unknown }>>`
        UPDATE alert_subscriptions SET last_alert_seq = last_alert_seq + 1
        WHERE id = ${row.id} RETURNING last_alert_seq, channels`;
        if (!locked) return null;
        await tx.alert.create({
          data: {
            id: payload.id,
            subscriptionId: row.id,
            seq: Number(locked.last_alert_seq),
            kind: payload.kind,
            payload: payload,
            createdAt: now,
          },
        });
        const planned = planDeliveries(channelsOf(locked));
        if (planned.length > 0) {
          await tx.alertDelivery.createMany({
            data: planned.map((delivery) => ({
              alertId: payload.id,
              subscriptionId: row.id,
              ...delivery,
              state: 'pending',
              nextAttemptAt: now,
              createdAt: now,
              updatedAt: now,
            })),
          });
        }
        return { alertId: payload.id, seq: Number(locked.last_alert_seq), deliveries: planned.length };
      },
      { timeout: 15_000 },
    );
  }

  alerts(subscriptionId: string, args: { after?: number; limit: number }) {
    return this.prisma.client.alert.findMany({
      where: { subscriptionId, ...(args.after !== undefined ? { seq: { gt: args.after } } : {}) },
      orderBy: { seq: args.after !== undefined ? 'asc' : 'desc' },
      take: args.limit,
    });
  }

  async lastAlertSeq(owner: string, id: string): Promise<number | null> {
    const row = await this.prisma.client.alertSubscription.findFirst({
      where: { id, ownerKeyId: owner },
      select: { lastAlertSeq: true },
    });
    return row ? row.lastAlertSeq : null;
  }

  async deliveries(subscriptionId: string, query: DeliveryListQuery) {
    const rows = await this.prisma.client.alertDelivery.findMany({
      where: {
        subscriptionId,
        ...(query.state ? { state: query.state } : {}),
        ...(query.before !== undefined ? { id: { lt: query.before } } : {}),
      },
      orderBy: { id: 'desc' },
      take: query.limit + 1,
      include: {
        alert: { select: { kind: true, seq: true, createdAt: true } },
        attemptLog: { orderBy: { id: 'desc' }, take: 20 },
      },
    });
    const page = rows.slice(0, query.limit);
    return {
      items: page.map((row) => ({
        id: row.id.toString(),
        alertId: row.alertId,
        alertKind: row.alert.kind,
        alertSeq: row.alert.seq,
        channel: { type: row.channelType, target: this.displayDeliveryTarget(row.channelType, row.target) },
        state: row.state,
        attempts: row.attempts,
        nextAttemptAt: row.state === 'pending' ? row.nextAttemptAt.toISOString() : null,
        lastStatus: row.lastStatus,
        lastError: row.lastError,
        deliveredAt: row.deliveredAt?.toISOString() ?? null,
        createdAt: row.createdAt.toISOString(),
        attemptLog: row.attemptLog.map((attempt) => ({
          attempt: attempt.attempt,
          startedAt: attempt.startedAt.toISOString(),
          durationMs: attempt.durationMs,
          outcome: attempt.outcome,
          status: attempt.status,
          error: attempt.error,
        })),
      })),
      nextCursor: rows.length > query.limit ? page.at(-1)!.id.toString() : null,
    };
  }

  /**
   * Queues deliveries again from their first attempt (dead or delivered ones; not those in
   * flight or cancelled). Returns how many were queued.
   */
  async redeliver(subscriptionId: string, where: { deliveryId?: bigint; state?: 'dead' }): Promise<number> {
    return this.prisma.client.$executeRaw`
      UPDATE alert_deliveries
      SET state = 'pending', attempts = 0, next_attempt_at = now(), last_error = NULL,
          lease_until = NULL, lease_token = NULL, updated_at = now()
      WHERE subscription_id = ${subscriptionId}
        AND state IN ('dead', 'delivered')
        AND (${where.deliveryId ?? null}::bigint IS NULL OR id = ${where.deliveryId ?? null}::bigint)
        AND (${where.state ?? null}::text IS NULL OR state = ${where.state ?? null}::text)`;
  }

  delivery(subscriptionId: string, id: bigint) {
    return this.prisma.client.alertDelivery.findFirst({
      where: { id, subscriptionId },
      select: { state: true },
    });
  }

  private displayDeliveryTarget(type: string, target: string): string {
    const channel = channelSchema.safeParse(type === 'nats' ? { type } : { type, url: target });
    return channel.success ? displayTarget(channel.data) : '(invalid)';
  }
}
