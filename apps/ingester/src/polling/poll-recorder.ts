import { type FeedHealthPatch } from '@diplowatch/domain';
import { type FeedRegistry, type PollRecord } from '../registry/feed-registry';

type Pending = PollRecord & {
  resolve: (recorded: boolean) => void;
  reject: (error: unknown) => void;
};

/**
 * Gathers poll outcomes for a few milliseconds and writes them to the registry in one
 * statement (FeedRegistry.recordPolls): one round trip and one commit for many feeds. Each
 * caller still learns whether its own row was written.
 */
export class PollRecorder {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly flushing = new Set<Promise<void>>();

  constructor(
    private readonly registry: FeedRegistry,
    private readonly worker: string,
    private readonly options: { maxBatch: number; maxDelayMs: number } = { maxBatch: 200, maxDelayMs: 20 },
  ) {}

  record(id: string, patch: FeedHealthPatch, bodyHash?: string | null): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.pending.push({ id, patch, bodyHash, resolve, reject });
      if (this.pending.length >= this.options.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.maxDelayMs);
    });
  }

  /** Writes everything gathered so far; resolves when every write in flight has finished. */
  async drain(): Promise<void> {
    this.flush();
    await Promise.allSettled([...this.flushing]);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    // A feed polled twice in one batch cannot happen (one lease), but the last patch would win.
    const write = this.registry.recordPolls(this.worker, batch).then(
      (written) => {
        for (const entry of batch) entry.resolve(written.has(entry.id));
      },
      (error: unknown) => {
        for (const entry of batch) entry.reject(error);
      },
    );
    this.flushing.add(write);
    void write.finally(() => this.flushing.delete(write));
  }
}
