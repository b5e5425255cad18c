import { Injectable, Logger } from '@nestjs/common';
import {
  type SubscriptionForMatching,
  channelSchema,
  subscriptionFilterSchema,
  subscriptionOptionsSchema,
} from '@diplowatch/domain';
import { PrismaService } from '@diplowatch/persistence';
import { z } from 'zod';

export type CachedSubscription = SubscriptionForMatching & { name: string };

/**
 * The active subscriptions, parsed once and reloaded only when the table changed: every
 * change (create, edit, pause, delete) moves the row count or the updated_at times, which one
 * small query per detection compares. So a subscription created a moment before an
 * article arrives is already matched, without parsing every filter for every detection.
 */
@Injectable()
export class SubscriptionCache {
  private readonly logger = new Logger('Subscriptions');
  private fingerprint = '';
  private subscriptions: CachedSubscription[] = [];

  constructor(private readonly prisma: PrismaService) {}

  async active(): Promise<CachedSubscription[]> {
    const [row] = await this.prisma.client.$queryRaw<
      Array<{ n: number; latest: Date | null; total: string }>
    >`
      SELECT count(*)::int AS n, max(updated_at) AS latest,
             coalesce(sum(extract(epoch FROM updated_at) * 1000), 0)::text AS total
      FROM alert_subscriptions`;
    const fingerprint = `${row?.n ?? 0}:${row?.latest?.toISOString() ?? ''}:${row?.total ?? ''}`;
    if (fingerprint !== this.fingerprint) {
      this.subscriptions = await this.load();
      this.fingerprint = fingerprint;
    }
    return this.subscriptions;
  }

  private async load(): Promise<CachedSubscription[]> {
    const rows = await this.prisma.client.alertSubscription.findMany({
      where: { status: 'active' },
      select: { id: true, name: true, filter: true, options: true, channels: true, createdAt: true },
      orderBy: { id: 'asc' },
    });
    const parsed: CachedSubscription[] = [];
    for (const row of rows) {
      const filter = subscriptionFilterSchema.safeParse(row.filter);
      const options = subscriptionOptionsSchema.safeParse(row.options);
      const channels = z.array(channelSchema).safeParse(row.channels);
      if (!filter.success || !options.success || !channels.success) {
        // Written by the API from the same schemas: only a hand edit of the table gets here.
        this.logger.error(`subscription ${row.id} has an invalid filter, options or channels; skipped`);
        continue;
      }
      parsed.push({
        id: row.id,
        name: row.name,
        filter: filter.data,
        options: options.data,
        channels: channels.data,
        status: 'active',
        createdAt: row.createdAt.toISOString(),
      });
    }
    return parsed;
  }
}
