/**
 * Runs tasks with two limits at once: at most `global` in all and at most `perHost` for any one
 * host, so a publisher with hundreds of feeds is never hit by more than a few requests at once
 * while other hosts' feeds keep the global slots busy. Waiting tasks of a host start in the
 * order they arrived; hosts take turns.
 */
export class HostLimiter {
  private active = 0;
  private readonly activeByHost = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();

  constructor(
    readonly global: number,
    readonly perHost: number,
  ) {}

  get running(): number {
    return this.active;
  }

  get queued(): number {
    let count = 0;
    for (const queue of this.waiting.values()) count += queue.length;
    return count;
  }

  async run<T>(host: string, task: () => Promise<T>): Promise<T> {
    await this.acquire(host);
    try {
      return await task();
    } finally {
      this.release(host);
    }
  }

  private canStart(host: string): boolean {
    return this.active < this.global && (this.activeByHost.get(host) ?? 0) < this.perHost;
  }

  private start(host: string): void {
    this.active++;
    this.activeByHost.set(host, (this.activeByHost.get(host) ?? 0) + 1);
  }

  private acquire(host: string): Promise<void> {
    if (!this.waiting.has(host) && this.canStart(host)) {
      this.start(host);
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const queue = this.waiting.get(host);
      if (queue) queue.push(resolve);
      else this.waiting.set(host, [resolve]);
    });
  }

  private release(host: string): void {
    this.active--;
    const left = (this.activeByHost.get(host) ?? 1) - 1;
    if (left === 0) this.activeByHost.delete(host);
    else this.activeByHost.set(host, left);
    // Hosts take turns: a started host moves to the back of the (insertion-ordered) map.
    for (const [waitingHost, queue] of this.waiting) {
      if (this.active >= this.global) break;
      if (!this.canStart(waitingHost)) continue;
      const next = queue.shift()!;
      this.waiting.delete(waitingHost);
      if (queue.length > 0) this.waiting.set(waitingHost, queue);
      this.start(waitingHost);
      next();
    }
  }
}
