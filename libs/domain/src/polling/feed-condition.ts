/**
 * One word for a feed's state, for lists, logs and metrics. A feed failing for a long time is
 * reported as such (and still polled at the backoff cap), never silently dropped.
 */
export type FeedCondition = 'paused' | 'pending' | 'healthy' | 'failing' | 'failing_long' | 'possible_gap';

/** Failing continuously for longer than this is 'failing_long': someone should look. */
export const FAILING_LONG_AFTER_SECONDS = 24 * 3600;

export function feedCondition(
  feed: {
    enabled: boolean;
    lastCheckedAt: Date | null;
    consecutiveFailures: number;
    failingSince: Date | null;
    possibleGap: boolean;
  },
  now: Date,
  failingLongAfterSeconds = FAILING_LONG_AFTER_SECONDS,
): FeedCondition {
  if (!feed.enabled) return 'paused';
  if (feed.consecutiveFailures > 0) {
    const since = feed.failingSince ?? feed.lastCheckedAt;
    return since && (now.getTime() - since.getTime()) / 1000 >= failingLongAfterSeconds
      ? 'failing_long'
      : 'failing';
  }
  if (feed.lastCheckedAt === null) return 'pending';
  return feed.possibleGap ? 'possible_gap' : 'healthy';
}
