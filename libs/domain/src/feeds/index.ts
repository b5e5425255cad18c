export { parseFeed, parseFeedSync } from './parse-feed';
export { FeedParseError, type FeedParseErrorCode } from './feed-parse-error';
export {
  type FeedFormat,
  type FeedItem,
  type KnownItemDates,
  type KnownItemRef,
  type ParsedFeed,
  type ParseFeedOptions,
} from './feed-types';
export { parseFeedDate } from './feed-dates';
export { decodeFeedBytes, type DecodedFeed } from './decode-feed-bytes';
export { htmlToText, resolveHtmlUrls } from './html-to-text';
export { checkFeedBody, rejectedCheck, type FeedCheck, type FeedCheckOutcome } from './check-feed';
