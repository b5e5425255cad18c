import { type AlertedEventState, evolveAlertedEvent } from './alerted-event';
import { record, subscription } from './alerts.fixtures';
import { decideAlerts } from './decide-alerts';
import { countKey, decideBatch, foldDetections, spikeCountsNeeded } from './plan-batch';
import { isoWeekStart, spikeKeysOf } from './spikes';

const now = new Date('2025-02-24T09:00:01.000Z');
const subscriptions = [
  subscription('s-idn', { countries: ['IDN'] }, { updates: true }),
  subscription('s-spike', { countries: ['RUS', 'LAO'] }, { instant: false, spikes: { minCount: 2 } }),
];
const records = [
  record({ diplomaticEventId: 'de-1', articleId: 'a-1' }, { streamSequence: 1 }),
  record({ diplomaticEventId: 'de-1', articleId: 'a-2' }, { streamSequence: 2 }),
  record({ diplomaticEventId: 'de-1', articleId: 'a-2' }, { streamSequence: 2 }),
  record({ diplomaticEventId: 'de-2', articleId: 'a-3', countries: ['RUS', 'LAO'] }, { streamSequence: 3 }),
  record({ diplomaticEventId: 'de-3', articleId: 'a-4', countries: ['RUS', 'LAO'] }, { streamSequence: 4 }),
  record({ diplomaticEventId: 'de-4', articleId: 'a-5', countries: ['RUS', 'LAO'] }, { streamSequence: 5 }),
];

/** The reference: one detection at a time, as a consumer without batches would. */
function oneByOne() {
  const states = new Map<string, AlertedEventState>();
  const told = new Map<string, Set<string>>();
  const counts = new Map<string, number>();
  const ids = new Set<string>();
  for (const rec of records) {
    const { state, change } = evolveAlertedEvent(states.get(rec.data.diplomaticEventId) ?? null, rec);
    states.set(state.view.id, state);
    if (change.kind === 'created') {
      const week = isoWeekStart(state.firstRecordedAt);
      for (const key of spikeKeysOf(state))
        counts.set(countKey(key, week), (counts.get(countKey(key, week)) ?? 0) + 1);
    }
    const alerted = told.get(state.view.id) ?? new Set<string>();
    told.set(state.view.id, alerted);
    for (const alert of decideAlerts({
      state,
      change,
      record: rec,
      subscriptions,
      alreadyAlerted: alerted,
      weeklyCount: (key, week) => counts.get(countKey(key, week)) ?? 0,
      now,
    })) {
      if (alert.kind === 'diplomatic_event.new') alerted.add(alert.subscriptionId);
      ids.add(alert.id);
    }
  }
  return [...ids];
}

describe('a batch of detections', () => {
  describe('given detections of several events, a repeat among them, and a spike crossed twice', () => {
    const { steps, states } = foldDetections(new Map(), records);
    const { alerts, increments } = decideBatch({
      steps,
      subscriptions,
      alreadyAlerted: new Map(),
      counts: new Map(),
      now,
    });

    it('leaves the repeated detection out of the fold', () => {
      expect(steps.map((step) => step.change.kind)).toEqual([
        'created',
        'updated',
        'created',
        'created',
        'created',
      ]);
      expect(states.get('de-1')!.view.sourceCount).toBe(2);
    });

    it('decides the same alerts as one detection at a time, each once', () => {
      expect(alerts.map((alert) => alert.payload.id)).toEqual(oneByOne());
      expect(alerts.map((alert) => [alert.payload.subscriptionId, alert.payload.kind])).toEqual([
        ['s-idn', 'diplomatic_event.new'],
        ['s-idn', 'diplomatic_event.updated'],
        ['s-spike', 'spike'],
      ]);
    });

    it('says what to add to the stored spike counts', () => {
      expect(increments.get(countKey('pair:LAO-RUS', '2025-02-24'))).toBe(3);
      expect(increments.get(countKey('type:visit', '2025-02-24'))).toBe(4);
    });

    it("lists the counts to read: the new events' keys over this week and the baseline", () => {
      const needed = spikeCountsNeeded(steps, 2);
      expect(needed.keys).toContain('pair:LAO-RUS');
      expect(needed.weeks).toEqual(['2025-02-10', '2025-02-17', '2025-02-24']);
    });
  });

  describe('given an event a subscription was told about in an earlier batch', () => {
    it('sends an update, not a second "new"', () => {
      const { steps } = foldDetections(new Map([['de-1', evolveAlertedEvent(null, records[0]!).state]]), [
        records[1]!,
      ]);
      const { alerts } = decideBatch({
        steps,
        subscriptions,
        alreadyAlerted: new Map([['de-1', new Set(['s-idn'])]]),
        counts: new Map(),
        now,
      });
      expect(alerts.map((alert) => alert.payload.kind)).toEqual(['diplomatic_event.updated']);
    });
  });
});
