import {
  ALERT_PAYLOAD_VERSION,
  type AlertPayload,
  alertIdFor,
  summarizeEvent,
  triggerOf,
} from './alert-payload';
import { type AlertedEventChange, type AlertedEventState, type DetectionRecord } from './alerted-event';
import { matchableText, matchesFilter } from './match-filter';
import {
  detectSpike,
  isoWeekStart,
  previousWeekStarts,
  spikeKeysFor,
  spikeKeysOf,
  spikeLabel,
} from './spikes';
import { type SubscriptionForMatching } from './subscription';

export type AlertDecisionInput = {
  state: AlertedEventState;
  change: AlertedEventChange;
  record: DetectionRecord;
  subscriptions: Array<SubscriptionForMatching & { name: string }>;
  /** Subscriptions that already had the "new" alert for this diplomatic event. */
  alreadyAlerted: ReadonlySet<string>;
  /** Events counted for a spike key in a week (this week's count includes this event). */
  weeklyCount: (key: string, weekStart: string) => number;
  now: Date;
};

/**
 * Which alerts one detection causes, each with its idempotency id:
 *  - "new": the first time the event matches a subscription (at most once per pair, ever);
 *  - "updated": it gained a source or changed type, for subscriptions that asked for updates
 *    and were told about it before (one per event version);
 *  - "spike": a new event took this week's count for one of its keys over the threshold
 *    (at most once per subscription, key and week).
 * Subscriptions hear about detections recorded after they were created, not the history.
 */
export function decideAlerts(input: AlertDecisionInput): AlertPayload[] {
  const { state, change, record, now } = input;
  if (change.kind === 'unchanged') return [];
  const text = matchableText(state);
  const createdAt = now.toISOString();
  const diplomaticEvent = summarizeEvent(state);
  const trigger = triggerOf(record);
  const eventId = state.view.id;
  const alerts: AlertPayload[] = [];
  for (const subscription of input.subscriptions) {
    if (subscription.status !== 'active' || subscription.createdAt > record.occurredAt) continue;
    if (!matchesFilter(subscription.filter, state, text)) continue;
    const common = {
      version: ALERT_PAYLOAD_VERSION,
      subscriptionId: subscription.id,
      subscriptionName: subscription.name,
      createdAt,
    } as const;
    const { options } = subscription;
    if (options.instant) {
      if (!input.alreadyAlerted.has(subscription.id)) {
        alerts.push({
          ...common,
          id: alertIdFor(subscription.id, eventId, 'new'),
          kind: 'diplomatic_event.new',
          diplomaticEvent,
          trigger,
        });
      } else if (options.updates && change.kind === 'updated' && (change.sourceAdded || change.typeChanged)) {
        const { kind: _kind, ...details } = change;
        alerts.push({
          ...common,
          id: alertIdFor(subscription.id, eventId, 'update', String(state.version)),
          kind: 'diplomatic_event.updated',
          diplomaticEvent,
          trigger,
          change: details,
        });
      }
    }
    if (options.spikes && change.kind === 'created') {
      const weekStart = isoWeekStart(state.firstRecordedAt);
      for (const key of spikeKeysFor(subscription.filter, spikeKeysOf(state))) {
        const count = input.weeklyCount(key, weekStart);
        const history = previousWeekStarts(weekStart, options.spikes.baselineWeeks).map((week) =>
          input.weeklyCount(key, week),
        );
        const verdict = detectSpike(count, history, options.spikes);
        if (!verdict.spike) continue;
        alerts.push({
          ...common,
          id: alertIdFor(subscription.id, 'spike', key, weekStart),
          kind: 'spike',
          spike: {
            key,
            label: spikeLabel(key),
            weekStart,
            count,
            baseline: verdict.baseline,
            threshold: verdict.threshold,
          },
          diplomaticEvent,
          trigger,
        });
      }
    }
  }
  return alerts;
}
