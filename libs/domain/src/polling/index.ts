export {
  nextCheckAt,
  backoffSeconds,
  DEFAULT_SCHEDULE_POLICY,
  type NextCheckInput,
  type PollOutcomeKind,
  type SchedulePolicy,
} from './next-check';
export { estimateCadence, blendCadence, isPossibleGap, DEFAULT_GAP_POLICY, type GapPolicy } from './cadence';
export { feedCondition, FAILING_LONG_AFTER_SECONDS, type FeedCondition } from './feed-condition';
export { parseOpml, serializeOpml, OpmlError, type OpmlDocument, type OpmlFeed } from './opml';
export {
  nextFeedHealth,
  isThrottled,
  type FeedHealthState,
  type FeedHealthPatch,
  type PollResult,
} from './feed-health';
