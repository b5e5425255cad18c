import { lookup as dnsLookup } from 'node:dns/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { type Readable } from 'node:stream';
import zlib from 'node:zlib';
import ipaddr from 'ipaddr.js';

/*
 * Fetching feeds from URLs that users and feeds supply, without letting them reach the
 * internal network or tie the poller up. Built on node:http/https rather than fetch (undici)
 * because:
 *  - the address must be vetted after DNS and the connection made to that very address (a
 *    custom `lookup` that answers with the vetted IP), so DNS rebinding cannot swap it between
 *    the check and the connect; fetch offers no per-request lookup, and request-filtering-agent
 *    covers http.Agent only;
 *  - the deadline must be total (DNS + connect + every redirect + the whole body): undici's
 *    body timeout restarts on every chunk, so a server trickling one byte a second never trips it;
 *  - the size cap must hold for decompressed bytes too (a gzip bomb is small on the wire).
 */

export type FetchErrorCode =
  | 'bad_url'
  | 'blocked_address'
  | 'timeout'
  | 'too_large'
  | 'too_many_redirects'
  | 'http_status'
  | 'network'
  | 'bad_response'
  | 'aborted';

export class FetchError extends Error {
  readonly code: FetchErrorCode;
  readonly url: string;
  /** The HTTP status for 'http_status' (and the redirect status for 'too_many_redirects'). */
  readonly status: number | null;
  /** Retry-After of a 429/503, in seconds, when the server sent one. */
  readonly retryAfterSeconds: number | null;

  constructor(
    code: FetchErrorCode,
    message: string,
    url: string,
    extra: { status?: number; retryAfterSeconds?: number | null } = {},
  ) {
    super(message);
    this.name = 'FetchError';
    this.code = code;
    this.url = url;
    this.status = extra.status ?? null;
    this.retryAfterSeconds = extra.retryAfterSeconds ?? null;
  }
}

export type ResolvedAddress = { address: string; family: 4 | 6 };

export type SafeFetchOptions = {
  /** Total deadline for the whole exchange: DNS, connects, redirects and the complete body. */
  timeoutMs: number;
  /** Largest body accepted, counted both on the wire and after decompression. */
  maxBytes: number;
  maxRedirects: number;
  /** Skip the address check (tests against 127.0.0.1, or a deployment that polls an intranet). */
  allowPrivateNetworks: boolean;
  userAgent: string;
  /** Validators from the previous successful fetch, for a conditional GET. */
  etag?: string | null;
  lastModified?: string | null;
  signal?: AbortSignal;
  /** DNS resolution; defaults to the system resolver (getaddrinfo). Injected by tests. */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
  /** Address policy; defaults to isPublicAddress. Injected by tests of the guard. */
  isAllowedAddress?: (address: string) => boolean;
};

export type SafeFetchResponse = {
  status: number;
  /** The final URL, after redirects. */
  url: string;
  /** Response headers, names lower-cased, repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  etag: string | null;
  lastModified: string | null;
  /** True on 304 Not Modified (body empty). */
  notModified: boolean;
};

const ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5';

/**
 * Only globally routable unicast addresses are allowed: loopback, private (RFC 1918), CGNAT
 * (100.64/10, where Alibaba's metadata lives), link-local (169.254/16, the cloud metadata
 * address), unique-local (fc00::/7), multicast, broadcast, unspecified, documentation,
 * benchmarking, 6to4/Teredo/NAT64 (which can tunnel to any IPv4) and every other reserved range
 * are refused. IPv4-mapped IPv6 (::ffff:10.0.0.1) is judged as the IPv4 it maps.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address); // unwraps IPv4-mapped IPv6
  return parsed.range() === 'unicast';
}

function parseUrl(raw: string, base?: string): URL {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    throw new FetchError('bad_url', `not a valid URL: ${raw}`, raw);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FetchError('bad_url', `only http and https are fetched, not ${url.protocol}`, url.href);
  }
  return url;
}

async function defaultResolve(hostname: string): Promise<ResolvedAddress[]> {
  const answers = await dnsLookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
}

/** Resolves the host and returns the first address the policy allows, or throws blocked_address. */
async function vetHost(url: URL, opts: SafeFetchOptions): Promise<ResolvedAddress> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let candidates: ResolvedAddress[];
  if (isIP(host)) {
    candidates = [{ address: host, family: isIP(host) === 6 ? 6 : 4 }];
  } else {
    try {
      candidates = await (opts.resolve ?? defaultResolve)(host);
    } catch (error) {
      throw new FetchError('network', `DNS lookup of ${host} failed: ${(error as Error).message}`, url.href);
    }
    if (candidates.length === 0)
      throw new FetchError('network', `DNS lookup of ${host} returned no address`, url.href);
  }
  if (opts.allowPrivateNetworks) return candidates[0]!;
  const allowed = opts.isAllowedAddress ?? isPublicAddress;
  const vetted = candidates.find((c) => allowed(c.address));
  if (!vetted) {
    throw new FetchError(
      'blocked_address',
      `${host} resolves to ${candidates.map((c) => c.address).join(', ')}: not a public address, refused`,
      url.href,
    );
  }
  return vetted;
}

function headerRecord(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function retryAfterSeconds(value: string | undefined, now: number): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.round((date - now) / 1000));
}

type Hop = { res: IncomingMessage; url: URL };

/**
 * The deadline's (or the caller's) cancellation of one fetch: whatever stage is running - the
 * request, the response, the body - registers how to stop it. Not an AbortSignal handed to
 * http.request: Node wires a signal into the request stream with end-of-stream listeners,
 * which cost more CPU per poll than the rest of a 304 (measured in the ingester bench's profile).
 */
class Cancellation {
  cancelled = false;
  private hook: (() => void) | null = null;

  /** What to do on cancel from now on (null: nothing is running). */
  onCancel(hook: (() => void) | null): void {
    this.hook = hook;
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    const hook = this.hook;
    this.hook = null;
    hook?.();
  }
}

/**
 * GETs a URL within a total deadline and byte budget, following up to `maxRedirects`
 * redirects, each hop's address vetted. Resolves for 2xx and 304; throws FetchError otherwise.
 */
export async function safeFetch(rawUrl: string, opts: SafeFetchOptions): Promise<SafeFetchResponse> {
  const cancel = new Cancellation();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    cancel.cancel();
  }, opts.timeoutMs);
  const onExternalAbort = () => cancel.cancel();
  if (opts.signal?.aborted) cancel.cancel();
  opts.signal?.addEventListener('abort', onExternalAbort, { once: true });

  let current = parseUrl(rawUrl);
  const failure = (error: unknown): FetchError => {
    if (error instanceof FetchError && error.code !== 'network') return error;
    if (timedOut)
      return new FetchError('timeout', `no complete response within ${opts.timeoutMs} ms`, current.href);
    if (cancel.cancelled) return new FetchError('aborted', 'fetch aborted by the caller', current.href);
    if (error instanceof FetchError) return error;
    return new FetchError('network', `${(error as Error).message}`, current.href);
  };

  try {
    for (let redirects = 0; ; redirects++) {
      const hop = await request(current, opts, cancel);
      // Until the body is read (or dropped), cancelling destroys the response.
      cancel.onCancel(() => hop.res.destroy());
      const status = hop.res.statusCode ?? 0;
      const location = hop.res.headers.location;
      if (status >= 300 && status < 400 && status !== 304 && location) {
        hop.res.resume(); // discard the redirect body
        hop.res.destroy();
        if (redirects >= opts.maxRedirects) {
          throw new FetchError(
            'too_many_redirects',
            `more than ${opts.maxRedirects} redirects`,
            current.href,
            { status },
          );
        }
        current = parseUrl(location, current.href);
        continue;
      }
      const headers = headerRecord(hop.res);
      const base = {
        status,
        url: current.href,
        headers,
        etag: headers.etag ?? null,
        lastModified: headers['last-modified'] ?? null,
      };
      if (status === 304) {
        hop.res.resume();
        return { ...base, body: Buffer.alloc(0), notModified: true };
      }
      if (status < 200 || status >= 300) {
        hop.res.resume();
        hop.res.destroy();
        throw new FetchError('http_status', `HTTP ${status} from ${current.href}`, current.href, {
          status,
          retryAfterSeconds: retryAfterSeconds(headers['retry-after'], Date.now()),
        });
      }
      const body = await readBody(hop, opts.maxBytes, cancel);
      return { ...base, body, notModified: false };
    }
  } catch (error) {
    throw failure(error);
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onExternalAbort);
  }
}

/*
 * Keep-alive: feeds of one publisher share a host, and a new TCP (and TLS) connection per poll
 * costs more CPU than the request itself. A pooled socket was connected to an address vetted
 * when it was opened, under the same policy (one pool per policy), so reusing it reaches no
 * address the guard would refuse. Fetches with an injected resolver or address policy (tests of
 * the guard) get a fresh connection every time. Idle sockets close after 4 s, before the usual
 * server keep-alive timeouts (5 s in Node, 60-75 s in nginx), so a reused socket is rarely one the
 * server is closing.
 */
const agentOptions = { keepAlive: true, timeout: 4000, maxFreeSockets: 8, scheduling: 'lifo' as const };
const agents = {
  public: { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) },
  private: { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) },
};

function agentFor(url: URL, opts: SafeFetchOptions): http.Agent | false {
  if (opts.resolve || opts.isAllowedAddress) return false;
  const pool = opts.allowPrivateNetworks ? agents.private : agents.public;
  return url.protocol === 'https:' ? pool.https : pool.http;
}

async function request(url: URL, opts: SafeFetchOptions, cancel: Cancellation): Promise<Hop> {
  if (cancel.cancelled) throw new Error('aborted');
  const vetted = await vetHost(url, opts);
  if (cancel.cancelled) throw new Error('aborted');
  // The connection goes to the vetted address, whatever DNS would answer now; Host, SNI and
  // certificate checks still use the host name.
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: vetted.address, family: vetted.family }]);
    else callback(null, vetted.address, vetted.family);
  };
  const headers: Record<string, string> = {
    'user-agent': opts.userAgent,
    accept: ACCEPT,
    'accept-encoding': 'gzip, deflate, br',
  };
  if (opts.etag) headers['if-none-match'] = opts.etag;
  if (opts.lastModified) headers['if-modified-since'] = opts.lastModified;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<Hop>((resolve, reject) => {
    const req = client.request(
      url,
      { method: 'GET', headers, lookup, agent: agentFor(url, opts), family: vetted.family },
      (res) => resolve({ res, url }),
    );
    req.on('error', reject);
    cancel.onCancel(() => req.destroy(new Error('aborted')));
    req.end();
  });
}

function decoderFor(
  encoding: string | undefined,
  firstByte: number | undefined,
): zlib.Gunzip | zlib.Inflate | zlib.InflateRaw | zlib.BrotliDecompress | null {
  switch ((encoding ?? 'identity').trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip();
    case 'deflate':
      // "deflate" should be zlib-wrapped, but some servers send raw deflate: the zlib header's
      // first byte has 8 (deflate) in its low nibble.
      return firstByte !== undefined && (firstByte & 0x0f) === 8
        ? zlib.createInflate()
        : zlib.createInflateRaw();
    case 'br':
      return zlib.createBrotliDecompress();
    case 'identity':
    case '':
      return null;
    default:
      return null;
  }
}

/** Reads the body, decompressing it, failing as soon as wire or decoded bytes pass maxBytes. */
function readBody(hop: Hop, maxBytes: number, cancel: Cancellation): Promise<Buffer> {
  const { res, url } = hop;
  if (cancel.cancelled) {
    res.destroy();
    return Promise.reject(new Error('aborted'));
  }
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.destroy();
    return Promise.reject(
      new FetchError('too_large', `Content-Length ${declared} is over the ${maxBytes}-byte limit`, url.href),
    );
  }
  const encoding = res.headers['content-encoding'];
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let decoded = 0;
    let wire = 0;
    let settled = false;
    let decoder: ReturnType<typeof decoderFor> | undefined;
    const finish = (error: Error | null, body?: Buffer) => {
      if (settled) return;
      settled = true;
      cancel.onCancel(null);
      if (error) {
        res.destroy();
        decoder?.destroy();
        reject(error);
      } else {
        resolve(body!);
      }
    };
    cancel.onCancel(() => finish(new Error('aborted')));
    const tooLarge = (what: string) =>
      finish(new FetchError('too_large', `${what} body is over the ${maxBytes}-byte limit`, url.href));
    const onDecoded = (chunk: Buffer) => {
      decoded += chunk.length;
      if (decoded > maxBytes) return tooLarge(decoder ? 'decompressed' : 'response');
      chunks.push(chunk);
    };
    const attachDecoder = (first: number | undefined): Readable | null => {
      decoder = decoderFor(encoding, first);
      if (!decoder) return null;
      decoder.on('data', onDecoded);
      decoder.on('error', (error) =>
        finish(new FetchError('bad_response', `cannot decode ${encoding} body: ${error.message}`, url.href)),
      );
      decoder.on('end', () => finish(null, Buffer.concat(chunks)));
      return decoder;
    };
    res.on('data', (chunk: Buffer) => {
      if (settled) return;
      wire += chunk.length;
      if (wire > maxBytes) return tooLarge('response');
      if (decoder === undefined) attachDecoder(chunk[0]);
      if (decoder) decoder.write(chunk);
      else onDecoded(chunk);
    });
    res.on('end', () => {
      if (settled) return;
      if (decoder === undefined) attachDecoder(undefined);
      if (decoder) decoder.end();
      else finish(null, Buffer.concat(chunks));
    });
    res.on('error', (error) => finish(error));
    res.on('close', () => {
      if (!res.readableEnded) finish(new Error('connection closed before the body was complete'));
    });
  });
}
