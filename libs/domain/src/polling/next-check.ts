/**
 * When to poll a feed next: Miniflux's scheduling logic with the clock, the randomness and the
 * limits passed in, so it is a pure function.
 *
 *  - success / not_modified: the feed's interval, jittered (±jitter) so that feeds added at
 *    the same moment drift apart instead of hitting hosts in lockstep forever;
 *  - error: exponential backoff, interval × 2^(errors−1), capped at maxBackoff. A feed is never
 *    dropped however long it fails: it keeps being tried at the cap and its health says so;
 *  - throttled (429, 503): as an error, but never sooner than the server's Retry-After, which
 *    is itself capped (a hostile or broken header must not park a feed for a year).
 */
export type PollOutcomeKind = 'success' | 'not_modified' | 'error' | 'throttled';

export type SchedulePolicy = {
  /** Fraction of the interval a check may move either way (0.1 = ±10 %). */
  jitter: number;
  /** Longest wait between two attempts of a failing feed, seconds. */
  maxBackoffSeconds: number;
  /** Longest Retry-After honoured, seconds. */
  maxRetryAfterSeconds: number;
  /** Shortest wait of all, seconds (a zero interval must not spin). */
  minIntervalSeconds: number;
};

export const DEFAULT_SCHEDULE_POLICY: SchedulePolicy = {
  jitter: 0.1,
  maxBackoffSeconds: 24 * 3600,
  maxRetryAfterSeconds: 24 * 3600,
  minIntervalSeconds: 1,
};

export type NextCheckInput = {
  now: Date;
  lastOutcome: PollOutcomeKind;
  /** The feed's poll interval, seconds. */
  interval: number;
  /** Consecutive failures including this one (0 after a success). */
  errorCount: number;
  /** Retry-After of the last response, seconds, or null. */
  retryAfter?: number | null;
  /** A number in [0, 1); Math.random in production, fixed in tests. */
  random?: () => number;
  policy?: Partial<SchedulePolicy>;
};

/**
 * interval × 2^(errorCount−1), capped at maxBackoffSeconds; the cap never makes a failing feed
 * polled more often than its own interval.
 */
export function backoffSeconds(interval: number, errorCount: number, maxBackoffSeconds: number): number {
  if (errorCount <= 1) return interval;
  // 2^40 already dwarfs any cap: bounding the exponent keeps the arithmetic finite.
  const factor = 2 ** Math.min(errorCount - 1, 40);
  return Math.min(Math.max(interval, maxBackoffSeconds), interval * factor);
}

export function nextCheckAt(input: NextCheckInput): Date {
  const policy = { ...DEFAULT_SCHEDULE_POLICY, ...input.policy };
  const random = input.random ?? Math.random;
  const interval = Math.max(policy.minIntervalSeconds, input.interval);
  let wait: number;
  switch (input.lastOutcome) {
    case 'success':
    case 'not_modified':
      wait = interval;
      break;
    case 'error':
    case 'throttled':
      wait = backoffSeconds(interval, Math.max(1, input.errorCount), policy.maxBackoffSeconds);
      break;
  }
  const jittered = wait * (1 - policy.jitter + 2 * policy.jitter * random());
  let seconds = Math.max(policy.minIntervalSeconds, jittered);
  // Retry-After is a floor, applied after jitter so the server's wish is never undercut.
  if (input.retryAfter !== undefined && input.retryAfter !== null && input.retryAfter > 0) {
    seconds = Math.max(seconds, Math.min(input.retryAfter, policy.maxRetryAfterSeconds));
  }
  return new Date(input.now.getTime() + Math.round(seconds * 1000));
}
