// When to try a failed delivery again, and when to give up.

export type RetryPolicy = {
  /** Delay after the first failure; doubles with each further one. */
  baseMs: number;
  /** No delay exceeds this (before jitter). */
  maxMs: number;
  /** Attempts in all (the first included) before the delivery is dead-lettered. */
  maxAttempts: number;
};

/**
 * The defaults: 1 s, 2 s, 4 s … capped at one hour, 15 attempts: a receiver may be down for
 * 1.5 to 3 hours (depending on jitter) before an alert is dead-lettered.
 */
export const defaultRetryPolicy: RetryPolicy = { baseMs: 1000, maxMs: 3_600_000, maxAttempts: 15 };

/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so retries
 * from many alerts that failed together (a receiver that was down) spread out instead of
 * arriving in waves, and no retry comes sooner than half its nominal delay.
 */
export function retryDelayMs(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const nominal = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(nominal / 2 + random() * (nominal / 2));
}

/** What a receiver's answer means for the delivery. */
export type AttemptOutcome =
  | { ok: true; status: number }
  | {
      ok: false;
      /** http_status, timeout, network, blocked_address, bad_url, redirect, … */
      code: string;
      status: number | null;
      message: string;
      retryAfterSeconds?: number | null;
    };

export type RetryDecision =
  | { action: 'delivered' }
  | { action: 'retry'; delayMs: number; reason: string }
  | { action: 'dead'; reason: string };

/**
 * Permanent failures are dead-lettered at once: a receiver address the guard refuses, a URL
 * that is not one, or 410 Gone (the receiver says the endpoint is gone for good). Everything
 * else (5xx, 429, other 4xx, timeouts, resets) is retried until maxAttempts; a Retry-After
 * longer than the backoff is honoured (up to maxMs).
 */
export function decideRetry(
  outcome: AttemptOutcome,
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): RetryDecision {
  if (outcome.ok) return { action: 'delivered' };
  const reason = outcome.message;
  if (outcome.code === 'blocked_address' || outcome.code === 'bad_url' || outcome.status === 410)
    return { action: 'dead', reason: `permanent failure: ${reason}` };
  if (attempt >= policy.maxAttempts)
    return { action: 'dead', reason: `gave up after ${attempt} attempts: ${reason}` };
  const backoff = retryDelayMs(attempt, policy, random);
  const requested = Math.min(policy.maxMs, (outcome.retryAfterSeconds ?? 0) * 1000);
  return { action: 'retry', delayMs: Math.max(backoff, requested), reason };
}
