/**
 * A feed's usual publishing cadence, and whether its silence is news or a gap.
 *
 * Quiet news and a broken feed look alike from outside: nothing new arrives. A feed that
 * usually publishes every 20 minutes and has said nothing for two days is more likely broken
 * (moved, blocked, stuck cache) than quiet, so it is flagged as a possible gap for an analyst
 * to look at; a weekly feed silent for two days is not.
 */

/** Fewer dated items than this say nothing reliable about a cadence. */
const MIN_DATED_ITEMS = 3;
/** Only the newest items count: a feed's archive tail says little about its current pace. */
const MAX_ITEMS_CONSIDERED = 50;

/**
 * The median gap, in seconds, between the publication dates of a document's items (newest
 * first), or null when there are fewer than three distinct dates. Dates more than a day in the
 * future are ignored (clock or time-zone mistakes). The median, not the mean, so that a single
 * quiet weekend does not stretch the estimate.
 */
export function estimateCadence(publishedAt: readonly (string | null)[], now: Date): number | null {
  const horizon = now.getTime() + 24 * 3600 * 1000;
  const times = [
    ...new Set(
      publishedAt
        .map((value) => (value ? Date.parse(value) : Number.NaN))
        .filter((time) => Number.isFinite(time) && time <= horizon),
    ),
  ]
    .sort((a, b) => b - a)
    .slice(0, MAX_ITEMS_CONSIDERED);
  if (times.length < MIN_DATED_ITEMS) return null;
  const gaps = times.slice(1).map((time, index) => (times[index]! - time) / 1000);
  gaps.sort((a, b) => a - b);
  const middle = gaps.length >> 1;
  const median = gaps.length % 2 === 1 ? gaps[middle]! : (gaps[middle - 1]! + gaps[middle]!) / 2;
  return median > 0 ? Math.round(median) : null;
}

/**
 * Blends a new observation into the stored cadence (an exponential moving average), so one
 * unusual document does not swing the estimate; the first observation is taken as it is.
 */
export function blendCadence(previous: number | null, observed: number | null): number | null {
  if (observed === null) return previous;
  if (previous === null) return observed;
  return Math.round(previous * 0.7 + observed * 0.3);
}

export type GapPolicy = {
  /** Silent for more than this many usual intervals … */
  factor: number;
  /** … and at least this long (hourly feeds go quiet overnight), seconds. */
  minSilenceSeconds: number;
};

export const DEFAULT_GAP_POLICY: GapPolicy = { factor: 6, minSilenceSeconds: 12 * 3600 };

/**
 * True when a feed with a known cadence has published nothing for much longer than usual.
 * `lastItemAt` is the newest item date seen in the feed (or when a new article last appeared,
 * for feeds without dates). Unknown cadence or no item yet: no verdict (false).
 */
export function isPossibleGap(input: {
  now: Date;
  lastItemAt: Date | null;
  cadenceSeconds: number | null;
  policy?: Partial<GapPolicy>;
}): boolean {
  const policy = { ...DEFAULT_GAP_POLICY, ...input.policy };
  if (input.cadenceSeconds === null || input.lastItemAt === null) return false;
  const silence = (input.now.getTime() - input.lastItemAt.getTime()) / 1000;
  return silence > Math.max(policy.minSilenceSeconds, policy.factor * input.cadenceSeconds);
}
