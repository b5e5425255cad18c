import { type AlertPayload, channelSchema, planDeliveries } from '@diplowatch/domain';
import { type Prisma } from '@diplowatch/persistence';
import { z } from 'zod';

type Tx = Prisma.TransactionClient;

export type StoredAlert = { id: string; subscriptionId: string; seq: number; deliveries: number };

const channelsSchema = z.array(channelSchema);

/**
 * Prisma's interactive transactions give up after 5 s by default; a batch on a loaded machine
 * can take longer, and giving up would only repeat the same work one detection at a time.
 */
export const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 60_000 } as const;

/**
 * Records alerts and one pending delivery per channel of their subscription, inside the
 * caller's transaction. An alert whose id exists already is skipped (the id is the idempotency
 * key), so a redelivered detection or a second replica never doubles one. Alert numbers (the
 * SSE ids) are taken under the subscription rows' locks, in id order (no deadlocks).
 */
export async function storeAlerts(
  tx: Tx,
  alerts: Array<{ payload: AlertPayload; diplomaticEventId: string | null }>,
  now: Date,
): Promise<StoredAlert[]> {
  if (alerts.length === 0) return [];
  const ids = alerts.map((alert) => alert.payload.id);
  const existing = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM alerts WHERE id = ANY(${ids})`;
  const known = new Set(existing.map((row) => row.id));
  const fresh = alerts.filter((alert) => !known.has(alert.payload.id));
  if (fresh.length === 0) return [];

  const perSubscription = new Map<string, typeof fresh>();
  for (const alert of fresh) {
    const list = perSubscription.get(alert.payload.subscriptionId) ?? [];
    list.push(alert);
    perSubscription.set(alert.payload.subscriptionId, list);
  }
  const subscriptionIds = [...perSubscription.keys()].sort();
  const locked = await tx.$queryRaw<Array<{ id: string; channels: unknown }>>`
    SELECT id, channels FROM alert_subscriptions WHERE id = ANY(${subscriptionIds}) ORDER BY id FOR UPDATE`;
  if (locked.length === 0) return []; // removed meanwhile
  const counts = locked.map((row) => perSubscription.get(row.id)!.length);
  const numbered = await tx.$queryRaw<Array<{ id: string; last_alert_seq: number }>>`
    UPDATE alert_subscriptions s SET last_alert_seq = s.last_alert_seq + v.n
    FROM unnest(${locked.map((row) => row.id)}::text[], ${counts}::int[]) AS v(id, n)
    WHERE s.id = v.id
    RETURNING s.id, s.last_alert_seq`;
  const lastSeq = new Map(numbered.map((row) => [row.id, Number(row.last_alert_seq)]));

  const rows: Prisma.AlertCreateManyInput[] = [];
  const channelsOf = new Map<string, ReturnType<typeof planDeliveries>>();
  for (const row of locked) {
    const list = perSubscription.get(row.id)!;
    const first = lastSeq.get(row.id)! - list.length + 1;
    const channels = channelsSchema.safeParse(row.channels);
    channelsOf.set(row.id, channels.success ? planDeliveries(channels.data) : []);
    list.forEach((alert, index) =>
      rows.push({
        id: alert.payload.id,
        subscriptionId: row.id,
        seq: first + index,
        kind: alert.payload.kind,
        diplomaticEventId: alert.diplomaticEventId,
        payload: alert.payload,
        createdAt: now,
      }),
    );
  }
  const inserted = await tx.alert.createManyAndReturn({
    data: rows,
    skipDuplicates: true,
    select: { id: true, subscriptionId: true, seq: true },
  });
  const deliveries: Prisma.AlertDeliveryCreateManyInput[] = inserted.flatMap((alert) =>
    channelsOf.get(alert.subscriptionId)!.map((planned) => ({
      alertId: alert.id,
      subscriptionId: alert.subscriptionId,
      ...planned,
      state: 'pending',
      nextAttemptAt: now,
      createdAt: now,
      updatedAt: now,
    })),
  );
  if (deliveries.length > 0) await tx.alertDelivery.createMany({ data: deliveries, skipDuplicates: true });
  return inserted.map((alert) => ({
    ...alert,
    deliveries: channelsOf.get(alert.subscriptionId)!.length,
  }));
}
