import { type RunningApp, stopApp } from './app-processes';

export type SupervisorOptions = {
  /** First restart delay; doubled on each exit in a row, up to `maxBackoffMs`. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** An app that ran this long before exiting starts again from `minBackoffMs`. */
  stableAfterMs?: number;
  log: (line: string) => void;
};

/**
 * Keeps one app running, as Kubernetes or compose's restart policy would: an app that exits
 * while it is not being stopped is started again after a capped, doubling delay (so an app that
 * fails at boot, say with a bad setting, does not spin), and each exit and restart is logged.
 * Written here as it is small; a process manager (pm2 and the like) would bring a daemon of its own.
 */
export class Supervisor {
  private current: RunningApp;
  private stopping = false;
  private backoffMs: number;
  private timer: NodeJS.Timeout | undefined;
  restarts = 0;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly stableAfterMs: number;

  constructor(
    readonly name: string,
    private readonly launch: () => RunningApp,
    private readonly options: SupervisorOptions,
  ) {
    this.minBackoffMs = options.minBackoffMs ?? 1000;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.stableAfterMs = options.stableAfterMs ?? 60_000;
    this.backoffMs = this.minBackoffMs;
    this.current = this.start();
  }

  /** The running process (a new one after each restart). */
  get app(): RunningApp {
    return this.current;
  }

  private start(): RunningApp {
    const app = this.launch();
    const startedAt = Date.now();
    void app.exited.then((code) => {
      if (this.stopping || this.current !== app) return;
      if (Date.now() - startedAt >= this.stableAfterMs) this.backoffMs = this.minBackoffMs;
      const delay = this.backoffMs;
      this.backoffMs = Math.min(this.maxBackoffMs, this.backoffMs * 2);
      const how = app.child.signalCode ? `signal ${app.child.signalCode}` : `code ${code}`;
      this.options.log(`${this.name} exited unexpectedly (${how}); restarting in ${delay} ms`);
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (this.stopping) return;
        this.restarts++;
        this.current = this.start();
        this.options.log(`${this.name} restarted (pid ${this.current.child.pid}, restart ${this.restarts})`);
      }, delay);
    });
    return app;
  }

  /** Stops the app (SIGTERM, then SIGKILL after the grace period) and restarts it no more. */
  async stop(graceMs?: number): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    await stopApp(this.current, graceMs);
  }
}
