import { FeedParseError } from './feed-parse-error';
import { type FeedFormat, type ParsedFeed, type ParseFeedOptions } from './feed-types';
import { parseFeedSync } from './parse-feed';

/**
 * What the ingester makes of one document, as `npm run feed:check`, the corpus test, the
 * API's "add feed" and the poller all report it: parsed cleanly, salvaged (defective but
 * recovered, warnings say how) or rejected (with the parser's error code and message).
 */
export type FeedCheckOutcome = 'parsed' | 'salvaged' | 'rejected';

export type FeedCheck =
  | {
      outcome: 'parsed' | 'salvaged';
      format: FeedFormat;
      items: number;
      error: null;
      feed: ParsedFeed;
    }
  | {
      outcome: 'rejected';
      format: null;
      items: 0;
      /** "<code>: <message>", e.g. "entity_declaration: the document type declaration …". */
      error: string;
      code: string;
      feed: null;
    };

export function rejectedCheck(code: string, message: string): FeedCheck {
  return { outcome: 'rejected', format: null, items: 0, error: `${code}: ${message}`, code, feed: null };
}

/** Parses a fetched (or read) body; never throws for bad input, only for bugs. */
export function checkFeedBody(body: Buffer, opts: ParseFeedOptions): FeedCheck {
  let feed: ParsedFeed;
  try {
    feed = parseFeedSync(body, opts);
  } catch (error) {
    if (error instanceof FeedParseError) return rejectedCheck(error.code, error.message);
    throw error;
  }
  return {
    outcome: feed.salvaged ? 'salvaged' : 'parsed',
    format: feed.format,
    // Items not read again (ParseFeedOptions.knownItem) are items all the same.
    items: feed.items.length + feed.known.length,
    error: null,
    feed,
  };
}
