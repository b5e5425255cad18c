import { Injectable } from '@nestjs/common';
import {
  type AlertedEventState,
  type DetectionRecord,
  type FoldStep,
  countKey,
  decideBatch,
  foldDetections,
  isoWeekStart,
  spikeCountsNeeded,
} from '@diplowatch/domain';
import { type ConsumedEvent } from '@diplowatch/messaging';
import { type Prisma, PrismaService } from '@diplowatch/persistence';
import { type StoredAlert, TRANSACTION_OPTIONS, storeAlerts } from '../alert-store';
import { SubscriptionCache } from './subscription-cache';

type Tx = Prisma.TransactionClient;

/**
 * Turns DiplomaticEventDetected events into alerts, a batch per transaction: lock the
 * alerter's view of each diplomatic event concerned (in id order), fold the detections in,
 * count new events towards their spike keys, decide the alerts and store them with their
 * pending deliveries. Nothing is sent here: the delivery worker picks the rows up, so a slow
 * receiver never holds up the event log. A redelivered detection finds itself folded in
 * already and changes nothing; an alert id stored already is skipped.
 */
@Injectable()
export class AlertMatcher {
  constructor(
    private readonly prisma: PrismaService,
    private readonly subscriptions: SubscriptionCache,
  ) {}

  async apply(consumed: ConsumedEvent, now?: () => Date): Promise<StoredAlert[]> {
    return this.applyBatch([consumed], now);
  }

  async applyBatch(batch: ConsumedEvent[], now: () => Date = () => new Date()): Promise<StoredAlert[]> {
    const records: DetectionRecord[] = batch.flatMap(({ event, streamSequence }) =>
      event.type === 'DiplomaticEventDetected'
        ? [{ data: event.data, occurredAt: event.occurredAt, streamSequence }]
        : [],
    );
    if (records.length === 0) return [];
    const subscriptions = await this.subscriptions.active();
    return this.prisma.client.$transaction(async (tx) => {
      const eventIds = [...new Set(records.map((record) => record.data.diplomaticEventId))].sort();
      const { steps, states } = foldDetections(await this.lockStates(tx, eventIds), records);
      if (steps.length === 0) return [];
      const changed = [...new Set(steps.map((step) => step.state.view.id))];
      await this.saveStates(
        tx,
        changed.map((id) => states.get(id)!),
      );
      const counts = await this.lockSpikeCounts(tx, steps);
      const { alerts, increments } = decideBatch({
        steps,
        subscriptions,
        alreadyAlerted: await this.alreadyAlerted(tx, changed),
        counts,
        now: now(),
      });
      await this.addSpikeCounts(tx, increments);
      return storeAlerts(tx, alerts, now());
    }, TRANSACTION_OPTIONS);
  }

  private async lockStates(tx: Tx, ids: string[]): Promise<Map<string, AlertedEventState>> {
    const rows = await tx.$queryRaw<Array<{ id: string; state: AlertedEventState }>>`
      SELECT id, state FROM alerted_events WHERE id = ANY(${ids}) ORDER BY id FOR UPDATE`;
    return new Map(rows.map((row) => [row.id, row.state]));
  }

  private async saveStates(tx: Tx, states: AlertedEventState[]): Promise<void> {
    const rows = states.map((state) => ({
      id: state.view.id,
      version: state.version,
      last_sequence: state.view.lastSequence,
      first_recorded_at: state.firstRecordedAt,
      state,
    }));
    await tx.$executeRaw`
      INSERT INTO alerted_events (id, version, last_sequence, first_recorded_at, state)
      SELECT r.id, r.version, r.last_sequence, r.first_recorded_at, r.state
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        AS r(id text, version int, last_sequence bigint, first_recorded_at timestamptz, state jsonb)
      ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, last_sequence = EXCLUDED.last_sequence,
        first_recorded_at = EXCLUDED.first_recorded_at, state = EXCLUDED.state`;
  }

  /** Subscriptions that were told about each event already ("new" alerts stored). */
  private async alreadyAlerted(tx: Tx, eventIds: string[]): Promise<Map<string, Set<string>>> {
    const rows = await tx.$queryRaw<Array<{ diplomatic_event_id: string; subscription_id: string }>>`
      SELECT diplomatic_event_id, subscription_id FROM alerts
      WHERE diplomatic_event_id = ANY(${eventIds}) AND kind = 'diplomatic_event.new'`;
    const told = new Map<string, Set<string>>();
    for (const row of rows) {
      const set = told.get(row.diplomatic_event_id) ?? new Set<string>();
      set.add(row.subscription_id);
      told.set(row.diplomatic_event_id, set);
    }
    return told;
  }

  /**
   * The stored counts of the new events' spike keys ("key|week"), this week's rows locked (in
   * key order) so that replicas count one after the other and a threshold is crossed once.
   */
  private async lockSpikeCounts(tx: Tx, steps: FoldStep[]): Promise<Map<string, number>> {
    const { keys, weeks } = spikeCountsNeeded(steps);
    if (keys.length === 0) return new Map();
    const current = [
      ...new Set(
        steps
          .filter((step) => step.change.kind === 'created')
          .map((step) => isoWeekStart(step.state.firstRecordedAt)),
      ),
    ].sort();
    await tx.$executeRaw`
      INSERT INTO alert_spike_counts (key, week_start, count)
      SELECT k, w::date, 0 FROM unnest(${keys}::text[]) AS k CROSS JOIN unnest(${current}::text[]) AS w
      ON CONFLICT (key, week_start) DO NOTHING`;
    await tx.$queryRaw`
      SELECT 1 FROM alert_spike_counts
      WHERE key = ANY(${keys}) AND week_start = ANY(${current}::date[])
      ORDER BY key, week_start FOR UPDATE`;
    const rows = await tx.$queryRaw<Array<{ key: string; week: string; count: number }>>`
      SELECT key, to_char(week_start, 'YYYY-MM-DD') AS week, count FROM alert_spike_counts
      WHERE key = ANY(${keys}) AND week_start = ANY(${weeks}::date[])`;
    return new Map(rows.map((row) => [countKey(row.key, row.week), Number(row.count)]));
  }

  private async addSpikeCounts(tx: Tx, increments: Map<string, number>): Promise<void> {
    if (increments.size === 0) return;
    const entries = [...increments.entries()].map(([name, n]) => {
      const at = name.lastIndexOf('|');
      return { key: name.slice(0, at), week: name.slice(at + 1), n };
    });
    await tx.$executeRaw`
      UPDATE alert_spike_counts c SET count = c.count + v.n
      FROM unnest(${entries.map((e) => e.key)}::text[], ${entries.map((e) => e.week)}::date[], ${entries.map((e) => e.n)}::int[])
        AS v(key, week_start, n)
      WHERE c.key = v.key AND c.week_start = v.week_start`;
  }
}
