import { type FeedHealthState, nextFeedHealth } from '.';

const now = new Date('2026-11-01T12:00:00.000Z');
const middle = () => 0.5;
const state: FeedHealthState = {
  pollIntervalSeconds: 600,
  consecutiveFailures: 0,
  failingSince: null,
  cadenceSeconds: null,
  lastItemAt: null,
  etag: '"old"',
  lastModified: null,
};
const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3600_000);
const secondsAfterNow = (date: Date) => (date.getTime() - now.getTime()) / 1000;

describe('nextFeedHealth', () => {
  describe('when the feed answers 200 with items', () => {
    const patch = nextFeedHealth(
      state,
      {
        kind: 'success',
        httpStatus: 200,
        etag: '"new"',
        lastModified: 'Sun, 01 Nov 2026 11:00:00 GMT',
        itemCount: 3,
        newArticles: 2,
        itemDates: [hoursAgo(1).toISOString(), hoursAgo(2).toISOString(), hoursAgo(3).toISOString()],
      },
      now,
      { random: middle },
    );

    it('records success, new validators, items and cadence', () => {
      expect(patch).toMatchObject({
        lastOutcome: 'success',
        lastHttpStatus: 200,
        consecutiveFailures: 0,
        failingSince: null,
        lastSuccessAt: now,
        etag: '"new"',
        lastModified: 'Sun, 01 Nov 2026 11:00:00 GMT',
        lastItemCount: 3,
        itemsSeenIncrement: 2,
        cadenceSeconds: 3600,
        lastItemAt: hoursAgo(1),
        possibleGap: false,
      });
      expect(secondsAfterNow(patch.nextCheckAt)).toBe(600);
    });
  });

  describe('when the feed answers 304', () => {
    it('keeps the validators and item counters, and schedules the interval', () => {
      const patch = nextFeedHealth(
        { ...state, consecutiveFailures: 2, failingSince: hoursAgo(1) },
        { kind: 'not_modified', httpStatus: 304, etag: null, lastModified: null },
        now,
        { random: middle },
      );
      expect(patch).toMatchObject({
        lastOutcome: 'not_modified',
        consecutiveFailures: 0,
        failingSince: null,
        itemsSeenIncrement: 0,
      });
      expect(patch).not.toHaveProperty('etag');
      expect(patch).not.toHaveProperty('lastItemCount');
      expect(secondsAfterNow(patch.nextCheckAt)).toBe(600);
    });

    it('flags a possible gap when silent far longer than usual', () => {
      const patch = nextFeedHealth(
        { ...state, cadenceSeconds: 1800, lastItemAt: hoursAgo(72) },
        { kind: 'not_modified', httpStatus: 304, etag: null, lastModified: null },
        now,
      );
      expect(patch.possibleGap).toBe(true);
    });
  });

  describe('when the fetch fails again', () => {
    const patch = nextFeedHealth(
      { ...state, consecutiveFailures: 2, failingSince: hoursAgo(5) },
      {
        kind: 'error',
        code: 'timeout',
        message: 'no complete response within 20000 ms',
        httpStatus: null,
        retryAfterSeconds: null,
      },
      now,
      { random: middle },
    );

    it('counts the failure, keeps when it started, and backs off', () => {
      expect(patch).toMatchObject({
        lastOutcome: 'error',
        consecutiveFailures: 3,
        failingSince: hoursAgo(5),
        lastErrorCode: 'timeout',
        lastError: 'no complete response within 20000 ms',
        lastErrorAt: now,
        possibleGap: false,
      });
      expect(secondsAfterNow(patch.nextCheckAt)).toBe(2400);
    });
  });

  describe('when the server throttles with 429 and Retry-After', () => {
    it('is "throttled" and waits at least Retry-After', () => {
      const patch = nextFeedHealth(
        state,
        { kind: 'error', code: 'http_status', message: 'HTTP 429', httpStatus: 429, retryAfterSeconds: 7200 },
        now,
        { random: middle },
      );
      expect(patch.lastOutcome).toBe('throttled');
      expect(patch.failingSince).toEqual(now);
      expect(secondsAfterNow(patch.nextCheckAt)).toBe(7200);
    });
  });
});
