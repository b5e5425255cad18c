import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';

/*
 * POSTs an alert to a receiver URL that a user supplied, with the ingester's guard
 * (apps/ingester/src/http/safe-fetch.ts, which only GETs): the host is resolved first, the
 * address checked, and the connection made to that very address (a pinned `lookup`), so DNS
 * rebinding cannot swap it between check and connect. One total deadline covers DNS, connect,
 * sending and the answer. Redirects are not followed: a receiver that moved must be edited,
 * and a redirect to an internal address is the classic way around such a guard.
 *
 * Connections are kept alive per (receiver origin, vetted address): a TLS handshake per alert
 * would cost more than the alert. An agent only ever connects to the address it was made for,
 * so reuse does not weaken the guard: every request is vetted, then given that address's agent.
 */

export type ReceiverErrorCode =
  'bad_url' | 'blocked_address' | 'timeout' | 'redirect' | 'http_status' | 'network' | 'aborted';

export class ReceiverError extends Error {
  constructor(
    readonly code: ReceiverErrorCode,
    message: string,
    readonly status: number | null = null,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ReceiverError';
  }
}

export type ResolvedAddress = { address: string; family: 4 | 6 };

export type ReceiverClientOptions = {
  timeoutMs: number;
  userAgent: string;
  /** May a resolved address be connected to? (public, or allow-listed). */
  isAllowedAddress: (address: string) => boolean;
  /** DNS; the system resolver unless a test injects one. */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
};

export type ReceiverResponse = { status: number; body: string };

/** How much of a receiver's answer is kept (for the delivery log). */
const MAX_RESPONSE_BYTES = 2048;
/** Idle connections close sooner than common servers' keep-alive timeout (Node's is 5 s). */
const IDLE_SOCKET_MS = 4000;
const MAX_AGENTS = 256;

async function defaultResolve(hostname: string): Promise<ResolvedAddress[]> {
  const answers = await dnsLookup(hostname, { all: true, verbatim: true });
  return answers.map((answer) => ({ address: answer.address, family: answer.family === 6 ? 6 : 4 }));
}

function retryAfterSeconds(value: string | undefined): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.round((date - Date.now()) / 1000));
}

export class ReceiverClient {
  private readonly agents = new Map<string, http.Agent>();

  constructor(private readonly options: ReceiverClientOptions) {}

  /** Closes the kept-alive connections (at shutdown). */
  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }

  /** Resolves for 2xx; throws ReceiverError otherwise. The URL never appears in messages (it may hold a token). */
  async post(rawUrl: string, body: string, headers: Record<string, string>): Promise<ReceiverResponse> {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw new ReceiverError('bad_url', 'not a valid URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new ReceiverError('bad_url', `only http and https receivers, not ${url.protocol}`);

    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.options.timeoutMs);
    try {
      const vetted = await this.vet(url);
      return await this.send(url, vetted, body, headers, controller.signal);
    } catch (error) {
      if (timedOut) throw new ReceiverError('timeout', `no answer within ${this.options.timeoutMs} ms`);
      if (error instanceof ReceiverError) throw error;
      throw new ReceiverError('network', (error as Error).message);
    } finally {
      clearTimeout(timer);
    }
  }

  private async vet(url: URL): Promise<ResolvedAddress> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    let candidates: ResolvedAddress[];
    if (isIP(host)) {
      candidates = [{ address: host, family: isIP(host) === 6 ? 6 : 4 }];
    } else {
      try {
        candidates = await (this.options.resolve ?? defaultResolve)(host);
      } catch (error) {
        throw new ReceiverError('network', `DNS lookup of ${host} failed: ${(error as Error).message}`);
      }
    }
    const vetted = candidates.find((candidate) => this.options.isAllowedAddress(candidate.address));
    if (!vetted) {
      throw new ReceiverError(
        'blocked_address',
        `${host} resolves to ${candidates.map((c) => c.address).join(', ') || 'nothing'}: not a public address, refused`,
      );
    }
    return vetted;
  }

  private send(
    url: URL,
    vetted: ResolvedAddress,
    body: string,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<ReceiverResponse> {
    const payload = Buffer.from(body, 'utf8');
    const client = url.protocol === 'https:' ? https : http;
    const agent = this.agentFor(url, vetted);
    return new Promise<ReceiverResponse>((resolve, reject) => {
      const req = client.request(
        url,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': String(payload.length),
            'user-agent': this.options.userAgent,
            ...headers,
          },
          agent,
          signal,
        },
        (res) => {
          const status = res.statusCode ?? 0;
          const chunks: Buffer[] = [];
          let size = 0;
          const finish = () => {
            res.destroy();
            const text = Buffer.concat(chunks).toString('utf8').slice(0, MAX_RESPONSE_BYTES);
            if (status >= 200 && status < 300) return resolve({ status, body: text });
            if (status >= 300 && status < 400)
              return reject(
                new ReceiverError('redirect', `HTTP ${status}: redirects are not followed`, status),
              );
            const detail = text.trim() ? `: ${text.trim().slice(0, 200)}` : '';
            reject(
              new ReceiverError(
                'http_status',
                `HTTP ${status}${detail}`,
                status,
                retryAfterSeconds(res.headers['retry-after']),
              ),
            );
          };
          // Only the start of the answer matters: stop reading after MAX_RESPONSE_BYTES.
          res.on('data', (chunk: Buffer) => {
            if (size < MAX_RESPONSE_BYTES) chunks.push(chunk);
            size += chunk.length;
            if (size >= MAX_RESPONSE_BYTES) finish();
          });
          res.on('end', finish);
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  private agentFor(url: URL, vetted: ResolvedAddress): http.Agent {
    const key = `${url.protocol}//${url.host}|${vetted.address}`;
    let agent = this.agents.get(key);
    if (agent) {
      // Most recently used last: the first entry is the one to evict.
      this.agents.delete(key);
      this.agents.set(key, agent);
      return agent;
    }
    const lookup: LookupFunction = (_hostname, options, callback) => {
      if (options.all) callback(null, [{ address: vetted.address, family: vetted.family }]);
      else callback(null, vetted.address, vetted.family);
    };
    const options = { keepAlive: true, timeout: IDLE_SOCKET_MS, lookup, family: vetted.family };
    agent = url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
    this.agents.set(key, agent);
    if (this.agents.size > MAX_AGENTS) {
      const [oldest, stale] = this.agents.entries().next().value as [string, http.Agent];
      this.agents.delete(oldest);
      stale.destroy();
    }
    return agent;
  }
}
