import { evolveAlertedEvent } from './alerted-event';
import { record, subscription } from './alerts.fixtures';
import { buildDigest, dueDigestPeriods } from './digest';
import { detectSpike, isoWeekStart, previousWeekStarts, spikeKeysFor, spikeKeysOf } from './spikes';
import { subscriptionFilterSchema } from './subscription';

const spikeOptions = { minCount: 3, ratio: 2, baselineWeeks: 8 };

describe('detectSpike', () => {
  describe('given a key with no history', () => {
    it('needs minCount events', () => {
      expect(detectSpike(2, [0, 0, 0], spikeOptions)).toEqual({ spike: false, baseline: 0, threshold: 3 });
      expect(detectSpike(3, [0, 0, 0], spikeOptions).spike).toBe(true);
    });
  });

  describe('given a steady key', () => {
    it('needs ratio times the usual count', () => {
      expect(detectSpike(9, [5, 5, 5, 5], spikeOptions)).toMatchObject({ spike: false, threshold: 10 });
      expect(detectSpike(10, [5, 5, 5, 5], spikeOptions)).toMatchObject({ spike: true, baseline: 5 });
    });
  });

  describe('given a bursty key', () => {
    it('also needs three standard deviations above the mean', () => {
      const history = [0, 12, 0, 12];
      expect(detectSpike(13, history, spikeOptions)).toMatchObject({ spike: false, threshold: 24 });
    });
  });
});

describe('spike keys and weeks', () => {
  const state = evolveAlertedEvent(null, record()).state;

  it('counts a new event towards its type and every pair of its countries', () => {
    expect(spikeKeysOf(state)).toEqual(['type:visit', 'pair:IDN-MYS', 'pair:IDN-RUS', 'pair:MYS-RUS']);
  });

  it('lets a subscription hear about the pairs within the countries it names, and the types it names', () => {
    const keysFor = (filter: Record<string, unknown>) =>
      spikeKeysFor(subscriptionFilterSchema.parse(filter), spikeKeysOf(state));
    expect(keysFor({ pair: ['RUS', 'IDN'] })).toEqual(['pair:IDN-RUS']);
    expect(keysFor({ types: ['visit'] })).toEqual(['type:visit']);
    expect(keysFor({ types: ['agreement'] })).toEqual([]);
    expect(keysFor({ countries: ['RUS', 'IDN'], types: ['visit'] })).toEqual(['type:visit', 'pair:IDN-RUS']);
    expect(keysFor({})).toEqual(spikeKeysOf(state));
  });

  it('weeks start on Monday, UTC', () => {
    expect(isoWeekStart('2025-02-24T00:00:00.000Z')).toBe('2025-02-24');
    expect(isoWeekStart('2025-03-02T23:59:59.999Z')).toBe('2025-02-24');
    expect(isoWeekStart('2025-03-03T00:00:00.000Z')).toBe('2025-03-03');
    expect(previousWeekStarts('2025-03-03', 2)).toEqual(['2025-02-24', '2025-02-17']);
  });
});

describe('dueDigestPeriods', () => {
  const base = { createdAt: '2025-02-20T10:00:00.000Z', digestedUntil: null, graceMs: 60_000 };

  describe('given a daily digest', () => {
    it('waits for the day to end plus the grace period', () => {
      expect(
        dueDigestPeriods({ ...base, cadence: 'daily', now: new Date('2025-02-21T00:00:30.000Z') }),
      ).toEqual(
        [{ from: '2025-02-19T00:00:00.000Z', to: '2025-02-20T00:00:00.000Z' }].filter(
          (p) => p.to > base.createdAt,
        ),
      );
      expect(
        dueDigestPeriods({ ...base, cadence: 'daily', now: new Date('2025-02-21T00:01:00.000Z') }),
      ).toEqual([{ from: '2025-02-20T00:00:00.000Z', to: '2025-02-21T00:00:00.000Z' }]);
    });

    it('resumes after what was digested and catches up on at most maxPeriods', () => {
      const now = new Date('2025-02-25T06:00:00.000Z');
      const periods = dueDigestPeriods({
        ...base,
        cadence: 'daily',
        digestedUntil: '2025-02-22T00:00:00.000Z',
        now,
      });
      expect(periods.map((p) => p.from.slice(0, 10))).toEqual(['2025-02-22', '2025-02-23', '2025-02-24']);
      expect(dueDigestPeriods({ ...base, cadence: 'daily', now, maxPeriods: 1 })).toHaveLength(1);
    });
  });

  describe('given a weekly digest', () => {
    it('digests whole ISO weeks', () => {
      expect(
        dueDigestPeriods({ ...base, cadence: 'weekly', now: new Date('2025-03-03T12:00:00.000Z') }),
      ).toEqual([
        { from: '2025-02-17T00:00:00.000Z', to: '2025-02-24T00:00:00.000Z' },
        { from: '2025-02-24T00:00:00.000Z', to: '2025-03-03T00:00:00.000Z' },
      ]);
    });
  });
});

describe('buildDigest', () => {
  const period = { from: '2025-02-24T00:00:00.000Z', to: '2025-02-25T00:00:00.000Z' };
  const events = [
    evolveAlertedEvent(
      null,
      record({ diplomaticEventId: 'de-1', confidence: 0.6 }, { occurredAt: '2025-02-24T08:00:00.000Z' }),
    ).state,
    evolveAlertedEvent(
      null,
      record(
        { diplomaticEventId: 'de-2', confidence: 0.9, type: 'agreement' },
        { occurredAt: '2025-02-24T12:00:00.000Z' },
      ),
    ).state,
    evolveAlertedEvent(
      null,
      record(
        { diplomaticEventId: 'de-3', countries: ['RUS', 'VNM'] },
        { occurredAt: '2025-02-24T13:00:00.000Z' },
      ),
    ).state,
    evolveAlertedEvent(
      null,
      record({ diplomaticEventId: 'de-4' }, { occurredAt: '2025-02-25T00:00:00.000Z' }),
    ).state,
  ];
  const sub = {
    ...subscription('s-1', { countries: ['IDN'] }, { digest: 'daily' }),
    createdAt: '2025-01-01T00:00:00.000Z',
  };

  it('summarizes the matching events recorded in the period, most confident first', () => {
    const digest = buildDigest({
      subscription: sub,
      cadence: 'daily',
      period,
      events,
      now: new Date(period.to),
    })!;
    expect(digest.kind).toBe('digest');
    expect(digest.digest).toMatchObject({ total: 2, byType: { visit: 1, agreement: 1 }, truncated: false });
    expect(digest.digest.events.map((event) => event.id)).toEqual(['de-2', 'de-1']);
    expect(buildDigest({ subscription: sub, cadence: 'daily', period, events, now: new Date() })!.id).toBe(
      digest.id,
    );
  });

  it('sends nothing when nothing matched', () => {
    const quiet = { ...sub, filter: subscriptionFilterSchema.parse({ countries: ['LAO'] }) };
    expect(
      buildDigest({ subscription: quiet, cadence: 'daily', period, events, now: new Date() }),
    ).toBeNull();
  });
});
