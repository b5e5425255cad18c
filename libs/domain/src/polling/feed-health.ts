import { blendCadence, estimateCadence, isPossibleGap } from './cadence';
import { nextCheckAt, type PollOutcomeKind, type SchedulePolicy } from './next-check';

/** What the registry knows about a feed before a poll (the fields a poll result changes). */
export type FeedHealthState = {
  pollIntervalSeconds: number;
  consecutiveFailures: number;
  failingSince: Date | null;
  cadenceSeconds: number | null;
  lastItemAt: Date | null;
  etag: string | null;
  lastModified: string | null;
};

export type PollResult =
  | { kind: 'not_modified'; httpStatus: number; etag: string | null; lastModified: string | null }
  | {
      kind: 'success';
      httpStatus: number;
      etag: string | null;
      lastModified: string | null;
      /** Items in the document. */
      itemCount: number;
      /** Articles published (new or revised) from it. */
      newArticles: number;
      /** publishedAt of every item, for the cadence. */
      itemDates: readonly (string | null)[];
    }
  | {
      kind: 'error';
      /** FetchError or FeedParseError code (timeout, http_status, entity_declaration, …). */
      code: string;
      message: string;
      httpStatus: number | null;
      retryAfterSeconds: number | null;
    };

/** The registry columns a poll writes. */
export type FeedHealthPatch = {
  lastCheckedAt: Date;
  lastOutcome: PollOutcomeKind;
  lastHttpStatus: number | null;
  nextCheckAt: Date;
  consecutiveFailures: number;
  failingSince: Date | null;
  etag?: string | null;
  lastModified?: string | null;
  lastSuccessAt?: Date;
  lastErrorAt?: Date;
  lastErrorCode?: string | null;
  lastError?: string | null;
  lastItemCount?: number;
  itemsSeenIncrement: number;
  cadenceSeconds?: number | null;
  lastItemAt?: Date | null;
  possibleGap: boolean;
};

/** 429 and 503 ask the client to come back later: they are throttling, not a broken feed. */
export function isThrottled(result: PollResult): boolean {
  return result.kind === 'error' && (result.httpStatus === 429 || result.httpStatus === 503);
}

const MAX_ERROR_MESSAGE = 1000;

/**
 * The registry update after one poll: health counters, validators for the next conditional GET,
 * cadence and gap flag, and when to poll next. Pure: the clock and randomness are passed in.
 */
export function nextFeedHealth(
  state: FeedHealthState,
  result: PollResult,
  now: Date,
  options: { random?: () => number; policy?: Partial<SchedulePolicy> } = {},
): FeedHealthPatch {
  const schedule = (lastOutcome: PollOutcomeKind, errorCount: number, retryAfter: number | null) =>
    nextCheckAt({
      now,
      lastOutcome,
      interval: state.pollIntervalSeconds,
      errorCount,
      retryAfter,
      random: options.random,
      policy: options.policy,
    });

  if (result.kind === 'error') {
    const failures = state.consecutiveFailures + 1;
    const lastOutcome: PollOutcomeKind = isThrottled(result) ? 'throttled' : 'error';
    return {
      lastCheckedAt: now,
      lastOutcome,
      lastHttpStatus: result.httpStatus,
      nextCheckAt: schedule(lastOutcome, failures, result.retryAfterSeconds),
      consecutiveFailures: failures,
      failingSince: state.failingSince ?? now,
      lastErrorAt: now,
      lastErrorCode: result.code,
      lastError: result.message.slice(0, MAX_ERROR_MESSAGE),
      itemsSeenIncrement: 0,
      // Silence caused by our own failure to read the feed is reported as failing, not as a gap.
      possibleGap: false,
    };
  }

  const healthy = {
    lastCheckedAt: now,
    lastHttpStatus: result.httpStatus,
    consecutiveFailures: 0,
    failingSince: null,
    lastSuccessAt: now,
    // The last error stays visible (with its time) after recovery; only the counters reset.
  };
  if (result.kind === 'not_modified') {
    return {
      ...healthy,
      lastOutcome: 'not_modified',
      nextCheckAt: schedule('not_modified', 0, null),
      // A 304 may carry fresh validators; otherwise the old ones stay.
      ...(result.etag ? { etag: result.etag } : {}),
      ...(result.lastModified ? { lastModified: result.lastModified } : {}),
      itemsSeenIncrement: 0,
      possibleGap: isPossibleGap({ now, lastItemAt: state.lastItemAt, cadenceSeconds: state.cadenceSeconds }),
    };
  }

  const horizon = now.getTime() + 24 * 3600 * 1000;
  const newest = result.itemDates.reduce<number | null>((max, value) => {
    const time = value ? Date.parse(value) : Number.NaN;
    return Number.isFinite(time) && time <= horizon && (max === null || time > max) ? time : max;
  }, null);
  let lastItemAt = state.lastItemAt;
  if (newest !== null && (lastItemAt === null || newest > lastItemAt.getTime()))
    lastItemAt = new Date(newest);
  // Undated feeds: a new article is the only sign of life there is.
  if (newest === null && result.newArticles > 0) lastItemAt = now;
  const cadenceSeconds = blendCadence(state.cadenceSeconds, estimateCadence(result.itemDates, now));
  return {
    ...healthy,
    lastOutcome: 'success',
    nextCheckAt: schedule('success', 0, null),
    // Validators are replaced, not kept: a 200 without an ETag means the old one is void.
    etag: result.etag,
    lastModified: result.lastModified,
    lastItemCount: result.itemCount,
    itemsSeenIncrement: result.newArticles,
    cadenceSeconds,
    lastItemAt,
    possibleGap: isPossibleGap({ now, lastItemAt, cadenceSeconds }),
  };
}
