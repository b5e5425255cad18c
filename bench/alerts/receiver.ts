import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';

/** One request a receiver got. */
export type Received = {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Date.now() when the body was complete. */
  receivedAt: number;
  alertId: string | undefined;
};

/** What a path answers: a status (204 by default), or a handler that answers itself. */
export type ReceiverBehaviour =
  | { status: number; body?: string; headers?: Record<string, string> }
  | ((received: Received, res: ServerResponse, req: IncomingMessage) => void);

export type AlertReceiver = {
  origin: string;
  url(path: string): string;
  received(path?: string): Received[];
  /** Distinct alert ids answered 2xx at a path (what a receiver that drops repeats keeps). */
  acceptedIds(path?: string): Set<string>;
  set(path: string, behaviour: ReceiverBehaviour): void;
  onReceive(listener: (received: Received) => void): void;
  close(): Promise<void>;
};

/**
 * A local webhook receiver for alert tests and the bench: records every request (with the
 * time its body arrived) and answers per path, 204 unless told otherwise. Requests it never
 * answers are left hanging (a receiver that times out).
 */
export async function startAlertReceiver(): Promise<AlertReceiver> {
  const requests: Received[] = [];
  const accepted = new Map<string, Set<string>>();
  const behaviours = new Map<string, ReceiverBehaviour>();
  const listeners: Array<(received: Received) => void> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      const header = req.headers['diplowatch-alert-id'];
      const received: Received = {
        path,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
        alertId: typeof header === 'string' ? header : undefined,
      };
      requests.push(received);
      for (const listener of listeners) listener(received);
      const behaviour = behaviours.get(path) ?? { status: 204 };
      const accept = () => {
        if (!received.alertId) return;
        const ids = accepted.get(path) ?? new Set<string>();
        ids.add(received.alertId);
        accepted.set(path, ids);
      };
      if (typeof behaviour === 'function') {
        res.on('finish', () => {
          if (res.statusCode >= 200 && res.statusCode < 300) accept();
        });
        behaviour(received, res, req);
        return;
      }
      if (behaviour.status >= 200 && behaviour.status < 300) accept();
      res.writeHead(behaviour.status, behaviour.headers ?? {}).end(behaviour.body ?? '');
    });
  });
  // Longer than the alerter keeps idle connections (4 s), like Node's default (5 s).
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (path) => `${origin}${path}`,
    received: (path) => (path ? requests.filter((r) => r.path === path) : [...requests]),
    acceptedIds: (path) =>
      path ? new Set(accepted.get(path) ?? []) : new Set([...accepted.values()].flatMap((ids) => [...ids])),
    set: (path, behaviour) => void behaviours.set(path, behaviour),
    onReceive: (listener) => void listeners.push(listener),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
