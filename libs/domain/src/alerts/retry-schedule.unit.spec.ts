import { type AttemptOutcome, decideRetry, defaultRetryPolicy, retryDelayMs } from './retry-schedule';

const policy = { baseMs: 1000, maxMs: 60_000, maxAttempts: 5 };
const failure = (extra: Partial<Extract<AttemptOutcome, { ok: false }>> = {}): AttemptOutcome => ({
  ok: false,
  code: 'http_status',
  status: 500,
  message: 'HTTP 500',
  ...extra,
});

describe('retryDelayMs', () => {
  it('doubles with each attempt, up to the cap', () => {
    const nominal = (attempt: number) => retryDelayMs(attempt, policy, () => 1);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(nominal)).toEqual([
      1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000,
    ]);
  });

  it('keeps at least half the delay and jitters the other half', () => {
    expect(retryDelayMs(3, policy, () => 0)).toBe(2000);
    expect(retryDelayMs(3, policy, () => 0.5)).toBe(3000);
    const seen = new Set(Array.from({ length: 50 }, () => retryDelayMs(3, policy)));
    expect(seen.size).toBeGreaterThan(10);
    for (const delay of seen) expect(delay).toBeGreaterThanOrEqual(2000);
  });

  it('has defaults that give up after at most about three hours', () => {
    const total = Array.from({ length: defaultRetryPolicy.maxAttempts - 1 }, (_, i) =>
      retryDelayMs(i + 1, defaultRetryPolicy, () => 1),
    ).reduce((a, b) => a + b, 0);
    expect(total / 3_600_000).toBeGreaterThan(3);
    expect(total / 3_600_000).toBeLessThan(3.2);
  });
});

describe('decideRetry', () => {
  describe('when the receiver answered 2xx', () => {
    it('is delivered', () => {
      expect(decideRetry({ ok: true, status: 204 }, 1, policy)).toEqual({ action: 'delivered' });
    });
  });

  describe('when the attempt failed in a way that may pass', () => {
    it.each([
      ['HTTP 500', failure()],
      ['HTTP 429', failure({ status: 429 })],
      ['HTTP 404', failure({ status: 404 })],
      ['a timeout', failure({ code: 'timeout', status: null })],
      ['a reset connection', failure({ code: 'network', status: null })],
    ])('retries after %s with backoff', (_name, outcome) => {
      expect(decideRetry(outcome, 2, policy, () => 0)).toMatchObject({ action: 'retry', delayMs: 1000 });
    });

    it('waits as long as Retry-After asks, within the cap', () => {
      expect(decideRetry(failure({ status: 503, retryAfterSeconds: 30 }), 1, policy, () => 0)).toMatchObject({
        delayMs: 30_000,
      });
      expect(
        decideRetry(failure({ status: 503, retryAfterSeconds: 9999 }), 1, policy, () => 0),
      ).toMatchObject({
        delayMs: 60_000,
      });
    });

    it('dead-letters with the reason after the last attempt', () => {
      expect(decideRetry(failure(), 5, policy)).toEqual({
        action: 'dead',
        reason: 'gave up after 5 attempts: HTTP 500',
      });
    });
  });

  describe('when the failure is permanent', () => {
    it.each([
      ['a refused address', failure({ code: 'blocked_address', status: null, message: 'refused' })],
      ['410 Gone', failure({ status: 410, message: 'HTTP 410' })],
    ])('dead-letters %s at once', (_name, outcome) => {
      expect(decideRetry(outcome, 1, policy)).toMatchObject({ action: 'dead' });
    });
  });
});
