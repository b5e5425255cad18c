import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type Subscription } from '@nats-io/transport-node';
import type { Request, Response } from 'express';
import { alertTopology } from '@diplowatch/domain';
import { JetStreamService } from '@diplowatch/messaging';
import { SubscriptionsRepository } from './subscriptions.repository';

const POLL_MS = 2000;
const HEARTBEAT_MS = 15_000;
const PAGE = 100;

/**
 * Server-Sent Events per subscription. Postgres is the source: each alert's `seq` is its
 * event id, numbered in commit order (see AlertSubscription.lastAlertSeq), so resuming after
 * `Last-Event-ID` misses nothing and repeats nothing. The alerter's "new alerts" notice on
 * NATS wakes a stream at once; without NATS a stream still polls every two seconds.
 */
@Injectable()
export class AlertStreamHub implements OnApplicationShutdown {
  private readonly logger = new Logger('AlertStream');
  private readonly listeners = new Map<string, Set<() => void>>();
  private notices: Subscription | undefined;
  private closing = false;

  constructor(
    private readonly jetstream: JetStreamService,
    private readonly subscriptions: SubscriptionsRepository,
  ) {}

  async serve(args: {
    owner: string;
    subscriptionId: string;
    /** Resume after this alert number; null: from now on. */
    lastEventId: number | null;
    req: Request;
    res: Response;
  }): Promise<void> {
    const { owner, subscriptionId, req, res } = args;
    const current = await this.subscriptions.lastAlertSeq(owner, subscriptionId);
    if (current === null) {
      res
        .status(404)
        .json({ statusCode: 404, error: 'Not Found', message: `subscription ${subscriptionId} not found` });
      return;
    }
    this.listenForNotices();
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // Proxies such as nginx would otherwise buffer the stream.
      'x-accel-buffering': 'no',
    });
    res.write('retry: 3000\n\n');

    let cursor = args.lastEventId ?? current;
    let open = true;
    let wake: (() => void) | undefined;
    // A notice may come while alerts are being written out: remembered, not lost.
    let nudged = false;
    const nudge = () => {
      nudged = true;
      wake?.();
    };
    const listeners = this.listeners.get(subscriptionId) ?? new Set();
    listeners.add(nudge);
    this.listeners.set(subscriptionId, listeners);
    const close = () => {
      open = false;
      nudge();
    };
    req.on('close', close);
    let lastWrite = Date.now();

    try {
      while (open && !this.closing) {
        const latest = await this.subscriptions.lastAlertSeq(owner, subscriptionId);
        if (latest === null) break; // removed: end the stream
        if (latest > cursor) {
          const alerts = await this.subscriptions.alerts(subscriptionId, { after: cursor, limit: PAGE });
          for (const alert of alerts) {
            const ok = res.write(`id: ${alert.seq}\ndata: ${JSON.stringify(alert.payload)}\n\n`);
            cursor = alert.seq;
            if (!ok) await new Promise((resolve) => res.once('drain', resolve));
          }
          lastWrite = Date.now();
          if (alerts.length === PAGE) continue;
        }
        if (Date.now() - lastWrite >= HEARTBEAT_MS) {
          res.write(': keep-alive\n\n');
          lastWrite = Date.now();
        }
        if (nudged) {
          nudged = false;
          continue;
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, POLL_MS);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
        nudged = false;
      }
    } catch (error) {
      this.logger.warn(`stream of ${subscriptionId} failed: ${(error as Error).message}`);
    } finally {
      req.off('close', close);
      listeners.delete(nudge);
      if (listeners.size === 0) this.listeners.delete(subscriptionId);
      res.end();
    }
  }

  onApplicationShutdown(): void {
    this.closing = true;
    for (const set of this.listeners.values()) for (const nudge of set) nudge();
    this.notices?.unsubscribe();
  }

  /** Subscribes once NATS is connected (the API starts without it and serves from Postgres). */
  private listenForNotices(): void {
    if (this.notices || !this.jetstream.isConnected()) return;
    const subject = alertTopology(this.jetstream.topology.namespace).alertNotifySubject;
    this.notices = this.jetstream.connection.subscribe(subject, {
      callback: (error, msg) => {
        if (error) return;
        try {
          const { subscriptions } = msg.json<{ subscriptions: string[] }>();
          for (const id of subscriptions) for (const nudge of this.listeners.get(id) ?? []) nudge();
        } catch {
          // a notice is only a hint; the poll covers a bad one
        }
      },
    });
  }
}
