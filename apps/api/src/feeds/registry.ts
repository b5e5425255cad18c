// The registry and the fetch-and-parse path are the ingester's own: the API uses the same code,
// so "add feed" reports exactly what the poller will make of the feed.
export {
  FeedRegistry,
  FeedUrlError,
  feedOptions,
  feedOptionsSchema,
  normalizeFeedUrl,
  type FeedRow,
} from '../../../ingester/src/registry/feed-registry';
export {
  fetchFeed,
  toCheckLine,
  type FeedCheckLine as FeedLine,
  type FetchSettings,
} from '../../../ingester/src/feed-fetch';
