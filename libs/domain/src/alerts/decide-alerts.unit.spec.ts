import { type AlertedEventState, evolveAlertedEvent } from './alerted-event';
import { record, subscription } from './alerts.fixtures';
import { type AlertDecisionInput, decideAlerts } from './decide-alerts';

const now = new Date('2025-02-24T09:00:01.000Z');
const noCounts = () => 0;

function decide(
  previous: AlertedEventState | null,
  rec: ReturnType<typeof record>,
  subscriptions: AlertDecisionInput['subscriptions'],
  alreadyAlerted: string[] = [],
  weeklyCount: AlertDecisionInput['weeklyCount'] = noCounts,
) {
  const { state, change } = evolveAlertedEvent(previous, rec);
  return {
    state,
    alerts: decideAlerts({
      state,
      change,
      record: rec,
      subscriptions,
      alreadyAlerted: new Set(alreadyAlerted),
      weeklyCount,
      now,
    }),
  };
}

describe('decideAlerts', () => {
  const matching = subscription('s-idn', { countries: ['IDN'] });
  const other = subscription('s-vnm', { countries: ['VNM'] });
  const withUpdates = subscription('s-upd', { actors: ['Shoigu'] }, { updates: true });

  describe('given a new diplomatic event', () => {
    it('alerts the subscriptions it matches, once each, with a deterministic id', () => {
      const first = decide(null, record(), [matching, other, withUpdates]).alerts;
      const again = decide(null, record(), [matching, other, withUpdates]).alerts;
      expect(first.map((alert) => [alert.subscriptionId, alert.kind])).toEqual([
        ['s-idn', 'diplomatic_event.new'],
        ['s-upd', 'diplomatic_event.new'],
      ]);
      expect(first.map((alert) => alert.id)).toEqual(again.map((alert) => alert.id));
      expect(new Set(first.map((alert) => alert.id)).size).toBe(2);
      expect(first[0]).toMatchObject({
        diplomaticEvent: { id: 'de-shoigu', sourceCount: 1, sourceArticleIds: ['a-1'] },
        trigger: { articleId: 'a-1', streamSequence: 10 },
      });
    });

    it('skips paused subscriptions and those created after the detection was recorded', () => {
      const paused = subscription('s-p', {}, {}, { status: 'paused' });
      const later = subscription('s-l', {}, {}, { createdAt: '2025-02-24T09:00:00.001Z' });
      expect(decide(null, record(), [paused, later]).alerts).toEqual([]);
    });

    it('sends nothing per event to a digest-only subscription', () => {
      const digestOnly = subscription('s-d', {}, { instant: false, digest: 'daily' });
      expect(decide(null, record(), [digestOnly]).alerts).toEqual([]);
    });
  });

  describe('given an event already alerted', () => {
    const first = decide(null, record(), [matching, withUpdates]).state;

    describe('when another outlet reports it', () => {
      const second = record({ articleId: 'a-2' }, { streamSequence: 11 });

      it('sends an update only to subscriptions that asked for updates', () => {
        const { alerts } = decide(first, second, [matching, withUpdates], ['s-idn', 's-upd']);
        expect(alerts).toHaveLength(1);
        expect(alerts[0]).toMatchObject({
          kind: 'diplomatic_event.updated',
          subscriptionId: 's-upd',
          change: { sourceAdded: true, previousSourceCount: 1 },
          diplomaticEvent: { sourceCount: 2, sourceArticleIds: ['a-1', 'a-2'] },
        });
      });

      it('gives each update its own id (by event version)', () => {
        const afterSecond = decide(first, second, [withUpdates], ['s-upd']);
        const third = decide(
          afterSecond.state,
          record({ articleId: 'a-3' }, { streamSequence: 12 }),
          [withUpdates],
          ['s-upd'],
        );
        expect(afterSecond.alerts[0]!.id).not.toBe(third.alerts[0]!.id);
      });
    });

    describe('when the same detection is delivered again', () => {
      it('changes nothing and alerts nobody', () => {
        const { state, alerts } = decide(first, record(), [matching, withUpdates], ['s-idn', 's-upd']);
        expect(alerts).toEqual([]);
        expect(state).toBe(first);
      });
    });

    describe('when a later report adds a country a subscription waited for', () => {
      it('sends that subscription its first ("new") alert', () => {
        const thai = subscription('s-tha', { countries: ['THA'] });
        const { alerts } = decide(
          first,
          record({ articleId: 'a-2', countries: ['RUS', 'THA'] }, { streamSequence: 11 }),
          [matching, thai],
          ['s-idn'],
        );
        expect(alerts.map((alert) => [alert.subscriptionId, alert.kind])).toEqual([
          ['s-tha', 'diplomatic_event.new'],
        ]);
      });
    });
  });

  describe('given a subscription that asks for spikes', () => {
    const spiky = subscription(
      's-spike',
      { pair: ['RUS', 'IDN'] },
      { instant: false, spikes: { minCount: 3 } },
    );
    const counts = (current: number, usual: number) => (key: string, week: string) =>
      key === 'pair:IDN-RUS' ? (week === '2025-02-24' ? current : usual) : 0;

    it('alerts when this week reaches the threshold, with the numbers', () => {
      const { alerts } = decide(null, record(), [spiky], [], counts(4, 1));
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({
        kind: 'spike',
        spike: {
          key: 'pair:IDN-RUS',
          label: 'IDN–RUS',
          weekStart: '2025-02-24',
          count: 4,
          baseline: 1,
          threshold: 3,
        },
      });
    });

    it('stays quiet at the usual level, and about pairs outside the filter', () => {
      expect(decide(null, record(), [spiky], [], counts(2, 1)).alerts).toEqual([]);
    });

    it('uses one id per subscription, key and week', () => {
      const a = decide(null, record(), [spiky], [], counts(4, 1)).alerts[0]!;
      const b = decide(null, record({ diplomaticEventId: 'de-2' }), [spiky], [], counts(5, 1)).alerts[0]!;
      expect(a.id).toBe(b.id);
    });
  });
});
