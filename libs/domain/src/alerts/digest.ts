import { ALERT_PAYLOAD_VERSION, type AlertPayload, alertIdFor, summarizeEvent } from './alert-payload';
import { type AlertedEventState } from './alerted-event';
import { matchesFilter } from './match-filter';
import { isoWeekStart } from './spikes';
import { type SubscriptionFilter } from './subscription';

// Digests: a summary of the diplomatic events a subscription matched in each UTC day or
// ISO week (by when the log first recorded them). Built once the period is over plus a grace
// period for late detections; one digest per subscription and period (its id says which).

export type DigestCadence = 'daily' | 'weekly';
export type DigestPeriod = { from: string; to: string };

export const DIGEST_MAX_EVENTS = 50;
const DAY_MS = 86_400_000;

function periodStart(cadence: DigestCadence, instant: number): number {
  if (cadence === 'daily') return Math.floor(instant / DAY_MS) * DAY_MS;
  return Date.parse(`${isoWeekStart(new Date(instant))}T00:00:00.000Z`);
}

const periodLength = (cadence: DigestCadence) => (cadence === 'daily' ? DAY_MS : 7 * DAY_MS);

/**
 * The periods to digest now, oldest first: those that ended at least `graceMs` ago, after
 * the subscription was created, and after what was digested already (`digestedUntil`). At
 * most `maxPeriods` (the most recent ones), so a long outage does not flood the receiver.
 */
export function dueDigestPeriods(args: {
  cadence: DigestCadence;
  createdAt: string;
  digestedUntil: string | null;
  now: Date;
  graceMs: number;
  maxPeriods?: number;
}): DigestPeriod[] {
  const { cadence, graceMs } = args;
  const length = periodLength(cadence);
  const floor = Math.max(
    periodStart(cadence, Date.parse(args.createdAt)),
    args.digestedUntil ? Date.parse(args.digestedUntil) : -Infinity,
  );
  const periods: DigestPeriod[] = [];
  for (
    let end = periodStart(cadence, args.now.getTime() - graceMs);
    end - length >= floor && periods.length < (args.maxPeriods ?? 7);
    end -= length
  ) {
    periods.unshift({ from: new Date(end - length).toISOString(), to: new Date(end).toISOString() });
  }
  return periods;
}

/** The digest alert for one period, or null when nothing matched (no empty digests are sent). */
export function buildDigest(args: {
  subscription: { id: string; name: string; filter: SubscriptionFilter; createdAt: string };
  cadence: DigestCadence;
  period: DigestPeriod;
  /** Events first recorded in the period (any order). */
  events: AlertedEventState[];
  now: Date;
}): Extract<AlertPayload, { kind: 'digest' }> | null {
  const { subscription, period } = args;
  const since = subscription.createdAt > period.from ? subscription.createdAt : period.from;
  const matched = args.events
    .filter((state) => state.firstRecordedAt >= since && state.firstRecordedAt < period.to)
    .filter((state) => matchesFilter(subscription.filter, state))
    .sort(
      (a, b) =>
        b.view.confidence - a.view.confidence ||
        a.firstRecordedAt.localeCompare(b.firstRecordedAt) ||
        a.view.id.localeCompare(b.view.id),
    );
  if (matched.length === 0) return null;
  const byType: Record<string, number> = {};
  for (const state of matched) byType[state.view.type] = (byType[state.view.type] ?? 0) + 1;
  return {
    id: alertIdFor(subscription.id, 'digest', args.cadence, period.from),
    version: ALERT_PAYLOAD_VERSION,
    kind: 'digest',
    subscriptionId: subscription.id,
    subscriptionName: subscription.name,
    createdAt: args.now.toISOString(),
    digest: {
      cadence: args.cadence,
      from: period.from,
      to: period.to,
      total: matched.length,
      byType,
      events: matched.slice(0, DIGEST_MAX_EVENTS).map(summarizeEvent),
      truncated: matched.length > DIGEST_MAX_EVENTS,
    },
  };
}
