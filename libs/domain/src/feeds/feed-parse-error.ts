export type FeedParseErrorCode =
  /** A DOCTYPE declares entities: billion laughs, quadratic blow-up or XXE. Refused before any parsing. */
  | 'entity_declaration'
  /** Well-formed or not, the document is not RSS, RDF, Atom or JSON Feed (HTML page, other XML, other JSON). */
  | 'not_a_feed'
  /** Broken beyond what recovery can trust (invalid JSON, truncated channel with nothing in it, absurd nesting). */
  | 'malformed'
  /** Zero bytes, only whitespace, or only comments. */
  | 'empty'
  /** Larger than the caller's byte limit. */
  | 'too_large';

export class FeedParseError extends Error {
  readonly code: FeedParseErrorCode;

  constructor(code: FeedParseErrorCode, message: string) {
    super(message);
    this.name = 'FeedParseError';
    this.code = code;
  }
}
