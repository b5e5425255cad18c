import { type AlertPayload } from './alert-payload';
import {
  type AlertedEventChange,
  type AlertedEventState,
  type DetectionRecord,
  evolveAlertedEvent,
} from './alerted-event';
import { decideAlerts } from './decide-alerts';
import { isoWeekStart, previousWeekStarts, spikeKeysOf } from './spikes';
import { type SubscriptionForMatching } from './subscription';

// The alerter applies detections in batches (one transaction per batch, so its cost does
// not grow with the rate). These two steps give the same alerts as applying the detections
// one by one, in order: first fold them (to learn which events are new and which spike counts
// to read), then decide, counting each new event before the next one is decided.

export type FoldStep = { record: DetectionRecord; state: AlertedEventState; change: AlertedEventChange };

/** Folds detections into the states (a copy), in order. Steps whose change is "unchanged" are left out. */
export function foldDetections(
  initial: ReadonlyMap<string, AlertedEventState>,
  records: DetectionRecord[],
): { steps: FoldStep[]; states: Map<string, AlertedEventState> } {
  const states = new Map(initial);
  const steps: FoldStep[] = [];
  for (const record of records) {
    const { state, change } = evolveAlertedEvent(states.get(record.data.diplomaticEventId) ?? null, record);
    if (change.kind === 'unchanged') continue;
    states.set(state.view.id, state);
    steps.push({ record, state, change });
  }
  return { steps, states };
}

/** The spike counts a batch needs: keys of its new events, over this week and the baseline weeks. */
export function spikeCountsNeeded(
  steps: FoldStep[],
  baselineWeeks = 52,
): { keys: string[]; weeks: string[] } {
  const keys = new Set<string>();
  const weeks = new Set<string>();
  for (const step of steps) {
    if (step.change.kind !== 'created') continue;
    spikeKeysOf(step.state).forEach((key) => keys.add(key));
    const week = isoWeekStart(step.state.firstRecordedAt);
    weeks.add(week);
    previousWeekStarts(week, baselineWeeks).forEach((previous) => weeks.add(previous));
  }
  return { keys: [...keys].sort(), weeks: [...weeks].sort() };
}

export const countKey = (key: string, weekStart: string) => `${key}|${weekStart}`;

/**
 * The alerts of a folded batch. `counts` holds the stored spike counts ("key|week"); each new
 * event adds one to its keys for its week before it is decided, and `increments` says what to
 * add to the stored counts. `alreadyAlerted` (event id -> subscriptions told) grows as "new"
 * alerts are decided, so a second detection of one event in the batch is an update, not new.
 */
export function decideBatch(args: {
  steps: FoldStep[];
  subscriptions: Array<SubscriptionForMatching & { name: string }>;
  alreadyAlerted: ReadonlyMap<string, ReadonlySet<string>>;
  counts: ReadonlyMap<string, number>;
  now: Date;
}): { alerts: Array<{ payload: AlertPayload; diplomaticEventId: string }>; increments: Map<string, number> } {
  const counts = new Map(args.counts);
  const increments = new Map<string, number>();
  const told = new Map<string, Set<string>>();
  const alerts: Array<{ payload: AlertPayload; diplomaticEventId: string }> = [];
  const ids = new Set<string>();
  for (const { record, state, change } of args.steps) {
    const eventId = state.view.id;
    if (change.kind === 'created') {
      const week = isoWeekStart(state.firstRecordedAt);
      for (const key of spikeKeysOf(state)) {
        const name = countKey(key, week);
        counts.set(name, (counts.get(name) ?? 0) + 1);
        increments.set(name, (increments.get(name) ?? 0) + 1);
      }
    }
    const alerted = told.get(eventId) ?? new Set(args.alreadyAlerted.get(eventId) ?? []);
    told.set(eventId, alerted);
    for (const payload of decideAlerts({
      state,
      change,
      record,
      subscriptions: args.subscriptions,
      alreadyAlerted: alerted,
      weeklyCount: (key, week) => counts.get(countKey(key, week)) ?? 0,
      now: args.now,
    })) {
      if (payload.kind === 'diplomatic_event.new') alerted.add(payload.subscriptionId);
      // A spike crossed twice in one batch is one alert (its id names the week).
      if (ids.has(payload.id)) continue;
      ids.add(payload.id);
      alerts.push({ payload, diplomaticEventId: eventId });
    }
  }
  return { alerts, increments };
}
