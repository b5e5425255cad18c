import { Injectable, Logger } from '@nestjs/common';
import {
  type AlertedEventState,
  type DigestCadence,
  buildDigest,
  dueDigestPeriods,
  subscriptionFilterSchema,
  subscriptionOptionsSchema,
} from '@diplowatch/domain';
import { PrismaService } from '@diplowatch/persistence';
import { type StoredAlert, TRANSACTION_OPTIONS, storeAlerts } from '../alert-store';

type DueRow = {
  id: string;
  name: string;
  filter: unknown;
  options: unknown;
  created_at: Date;
  digested_until: Date | null;
};

/**
 * Builds the daily and weekly digests that are due. One subscription per transaction, its
 * row locked with SKIP LOCKED so replicas share the work; the digest alert and the new
 * `digested_until` are written together, and the digest id names its period, so a crash or
 * a second replica never sends one twice.
 */
@Injectable()
export class DigestScheduler {
  private readonly logger = new Logger('Digests');

  constructor(private readonly prisma: PrismaService) {}

  async runOnce(now: Date, graceMs: number): Promise<StoredAlert[]> {
    const candidates = await this.prisma.client.$queryRaw<Array<{ id: string }>>`
      SELECT id FROM alert_subscriptions
      WHERE status = 'active' AND options->>'digest' IS NOT NULL
      ORDER BY id`;
    const stored: StoredAlert[] = [];
    for (const { id } of candidates) {
      try {
        stored.push(...(await this.digestOne(id, now, graceMs)));
      } catch (error) {
        this.logger.warn(`digest of subscription ${id} failed: ${(error as Error).message}`);
      }
    }
    return stored;
  }

  private digestOne(id: string, now: Date, graceMs: number): Promise<StoredAlert[]> {
    return this.prisma.client.$transaction(async (tx) => {
      const [row] = await tx.$queryRaw<DueRow[]>`
        SELECT id, name, filter, options, created_at, digested_until FROM alert_subscriptions
        WHERE id = ${id} AND status = 'active' FOR UPDATE SKIP LOCKED`;
      if (!row) return [];
      const options = subscriptionOptionsSchema.safeParse(row.options);
      const filter = subscriptionFilterSchema.safeParse(row.filter);
      if (!options.success || !filter.success || !options.data.digest) return [];
      const cadence: DigestCadence = options.data.digest;
      const periods = dueDigestPeriods({
        cadence,
        createdAt: row.created_at.toISOString(),
        digestedUntil: row.digested_until?.toISOString() ?? null,
        now,
        graceMs,
      });
      if (periods.length === 0) return [];
      const from = new Date(periods[0]!.from);
      const to = new Date(periods.at(-1)!.to);
      const events = await tx.alertedEvent.findMany({
        where: { firstRecordedAt: { gte: from, lt: to } },
        select: { state: true },
      });
      const states = events.map((event) => event.state as unknown as AlertedEventState);
      const subscription = {
        id: row.id,
        name: row.name,
        filter: filter.data,
        createdAt: row.created_at.toISOString(),
      };
      const digests = periods.flatMap((period) => {
        const digest = buildDigest({ subscription, cadence, period, events: states, now });
        return digest ? [{ payload: digest, diplomaticEventId: null }] : [];
      });
      // storeAlerts takes this row's lock again: the same transaction already holds it.
      const stored = await storeAlerts(tx, digests, now);
      await tx.$executeRaw`UPDATE alert_subscriptions SET digested_until = ${to} WHERE id = ${row.id}`;
      return stored;
    }, TRANSACTION_OPTIONS);
  }
}
