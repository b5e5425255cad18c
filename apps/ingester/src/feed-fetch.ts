import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { checkFeedBody, type FeedCheck, type ParseFeedOptions, rejectedCheck } from '@diplowatch/domain';
import { FetchError, safeFetch, type SafeFetchOptions, type SafeFetchResponse } from './http/safe-fetch';

/*
 * The ingester's own fetch-and-parse path, used by the poller, the API's "add feed" check and
 * `npm run feed:check`: a guarded fetch (safeFetch) and the forgiving parser (checkFeedBody).
 */

export type FetchSettings = Pick<
  SafeFetchOptions,
  'timeoutMs' | 'maxBytes' | 'allowPrivateNetworks' | 'userAgent' | 'resolve' | 'isAllowedAddress' | 'signal'
>;

/** Redirects followed per fetch: enough for http->https->www->feedburner, not for a loop. */
export const MAX_REDIRECTS = 5;

export type FeedFetchResult =
  | { kind: 'not_modified'; response: SafeFetchResponse }
  | { kind: 'fetched'; response: SafeFetchResponse; check: FeedCheck }
  | { kind: 'failed'; error: FetchError };

/** The guarded fetch both paths share: a failure or a 304 ends it, anything else is a body to read. */
async function fetchDocument(
  url: string,
  settings: FetchSettings & { etag?: string | null; lastModified?: string | null },
): Promise<
  | { kind: 'not_modified'; response: SafeFetchResponse }
  | { kind: 'failed'; error: FetchError }
  | { kind: 'body'; response: SafeFetchResponse }
> {
  let response: SafeFetchResponse;
  try {
    response = await safeFetch(url, { ...settings, maxRedirects: MAX_REDIRECTS });
  } catch (error) {
    if (error instanceof FetchError) return { kind: 'failed', error };
    throw error;
  }
  // A 304 costs no parsing: nothing changed since the validators were issued.
  return response.notModified ? { kind: 'not_modified', response } : { kind: 'body', response };
}

const checkOf = (
  response: SafeFetchResponse,
  maxBytes: number | undefined,
  knownItem?: ParseFeedOptions['knownItem'],
): FeedCheck =>
  checkFeedBody(response.body, {
    feedUrl: response.url,
    contentType: response.headers['content-type'] ?? null,
    maxBytes,
    knownItem,
  });

export async function fetchFeed(
  url: string,
  settings: FetchSettings & { etag?: string | null; lastModified?: string | null },
): Promise<FeedFetchResult> {
  const fetched = await fetchDocument(url, settings);
  if (fetched.kind !== 'body') return fetched;
  return { kind: 'fetched', response: fetched.response, check: checkOf(fetched.response, settings.maxBytes) };
}

/**
 * What a document's hash is taken over: its final URL (relative links resolve against it) and
 * its decoded bytes. The version tag changes whenever a parser change must reach documents that
 * did not change (bump it, and every feed is parsed once more).
 */
const BODY_HASH_VERSION = 'v1';

export function bodyHashOf(url: string, body: Buffer): string {
  return `${BODY_HASH_VERSION}:${createHash('sha256').update(url).update('\u0000').update(body).digest('base64url')}`;
}

export type PollFetchResult =
  | { kind: 'not_modified'; response: SafeFetchResponse }
  /** A 200 whose document is the very one last published in full: not parsed again. */
  | { kind: 'unchanged'; response: SafeFetchResponse; bodyHash: string }
  | { kind: 'fetched'; response: SafeFetchResponse; check: FeedCheck; bodyHash: string }
  | { kind: 'failed'; error: FetchError };

/**
 * The poller's fetch: fetchFeed, plus a hash of the document. Many servers send no validators
 * (or ones that change on every request) for a document that has not changed; when its hash is
 * the one recorded after the last document fully published, the body costs no parsing, hashing
 * of items or seen-state lookups - it is treated as a 304.
 */
export async function fetchFeedForPoll(
  url: string,
  settings: FetchSettings & {
    etag?: string | null;
    lastModified?: string | null;
    lastBodyHash?: string | null;
    /** Items the caller knows by their markup are not read again (ParseFeedOptions.knownItem). */
    knownItem?: ParseFeedOptions['knownItem'];
  },
): Promise<PollFetchResult> {
  const fetched = await fetchDocument(url, settings);
  if (fetched.kind !== 'body') return fetched;
  const { response } = fetched;
  const bodyHash = bodyHashOf(response.url, response.body);
  if (settings.lastBodyHash === bodyHash) return { kind: 'unchanged', response, bodyHash };
  return {
    kind: 'fetched',
    response,
    check: checkOf(response, settings.maxBytes, settings.knownItem),
    bodyHash,
  };
}

/** One line of `npm run feed:check`. */
export type FeedCheckLine = {
  input: string;
  outcome: FeedCheck['outcome'];
  format: string | null;
  items: number;
  error: string | null;
};

export function toCheckLine(input: string, check: FeedCheck): FeedCheckLine {
  return { input, outcome: check.outcome, format: check.format, items: check.items, error: check.error };
}

/**
 * Checks one argument of feed:check: an http(s) URL is fetched like the poller does (same
 * guard, limits and redirects), anything else is read as a file (within the same size cap).
 */
export async function checkFeedInput(input: string, settings: FetchSettings): Promise<FeedCheckLine> {
  if (/^https?:\/\//i.test(input)) {
    const result = await fetchFeed(input, settings);
    if (result.kind === 'failed')
      return toCheckLine(input, rejectedCheck(result.error.code, result.error.message));
    if (result.kind === 'not_modified')
      return toCheckLine(input, rejectedCheck('http_status', 'HTTP 304 without a conditional request'));
    return toCheckLine(input, result.check);
  }
  let body: Buffer;
  try {
    const info = await stat(input);
    if (!info.isFile()) return toCheckLine(input, rejectedCheck('bad_input', 'not a file or an http(s) URL'));
    if (info.size > settings.maxBytes)
      return toCheckLine(
        input,
        rejectedCheck('too_large', `file is ${info.size} bytes, over the ${settings.maxBytes}-byte limit`),
      );
    body = await readFile(input);
  } catch (error) {
    return toCheckLine(
      input,
      rejectedCheck('bad_input', `cannot read ${input}: ${(error as Error).message}`),
    );
  }
  // A file has no URL: relative links resolve against a placeholder that names it.
  const feedUrl = `https://feed-check.invalid/${encodeURIComponent(path.basename(input))}`;
  return toCheckLine(input, checkFeedBody(body, { feedUrl, maxBytes: settings.maxBytes }));
}
