import { type FeedPollerOptions } from '../../apps/ingester/src/polling/feed-poller';

/** The poller settings every bench:ingester replica runs with (the main process and forked ones). */
export const benchPollerOptions = (
  workerId: string,
  concurrency: number,
  hostConcurrency: number,
): FeedPollerOptions => ({
  workerId,
  concurrency,
  hostConcurrency,
  leaseSeconds: 600,
  tickMs: 200,
  maxBackoffSeconds: 3600,
  fetch: {
    timeoutMs: 20_000,
    maxBytes: 10 * 1024 * 1024,
    allowPrivateNetworks: true,
    userAgent: 'diplowatch-bench',
  },
});
