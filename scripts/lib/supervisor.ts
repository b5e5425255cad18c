import { type RunningApp, stopApp } from './app-processes';

/** An exit the supervisor did not cause: what `onUnexpectedExit` is told. */
export type UnexpectedExit = {
  app: RunningApp;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The delay before the restart (the backoff at the time). */
  restartInMs: number;
};

export type SupervisorOptions = {
  /** First restart delay; doubled on each exit in a row, up to `maxBackoffMs`. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** An app that ran this long before exiting starts again from `minBackoffMs`. */
  stableAfterMs?: number;
  log: (line: string) => void;
  /** Called (after the log line) for each exit neither `stop()` nor `kill()` caused. */
  onUnexpectedExit?: (exit: UnexpectedExit) => void;
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
  /** Processes `kill()` ended: their exit is neither unexpected nor backed off. */
  private readonly killed = new WeakSet<RunningApp>();
  /** `kill()` calls waiting for the next restart (or for `stop()`). */
  private waiting: Array<() => void> = [];
  /** Restarts so far, after unexpected exits and `kill()` alike. */
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
      if (this.stopping || this.current !== app || this.killed.has(app)) return;
      if (Date.now() - startedAt >= this.stableAfterMs) this.backoffMs = this.minBackoffMs;
      const delay = this.backoffMs;
      this.backoffMs = Math.min(this.maxBackoffMs, this.backoffMs * 2);
      const signal = app.child.signalCode;
      const how = signal ? `signal ${signal}` : `code ${code}`;
      this.options.log(`${this.name} exited unexpectedly (${how}); restarting in ${delay} ms`);
      this.options.onUnexpectedExit?.({ app, code, signal, restartInMs: delay });
      this.restartAfter(delay);
    });
    return app;
  }

  /** Starts a new process after `delay`, replacing a restart already waiting. */
  private restartAfter(delay: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stopping) return;
      this.restarts++;
      this.current = this.start();
      this.options.log(`${this.name} restarted (pid ${this.current.child.pid}, restart ${this.restarts})`);
      for (const resolve of this.waiting.splice(0)) resolve();
    }, delay);
  }

  /**
   * Ends the running process on purpose (a test's fault, an operator's restart) and starts a new
   * one `restartAfterMs` after it exited: not an unexpected exit, so no `onUnexpectedExit` and
   * no change to the backoff. A restart already waiting is replaced. Resolves once the new
   * process is started (or the supervisor stopped).
   */
  async kill(signal: NodeJS.Signals, restartAfterMs: number): Promise<void> {
    if (this.stopping) return;
    const app = this.current;
    this.killed.add(app);
    app.child.kill(signal);
    await app.exited;
    if (this.stopping) return;
    this.options.log(`${this.name} killed (${signal}); restarting in ${restartAfterMs} ms`);
    const restarted = new Promise<void>((resolve) => this.waiting.push(resolve));
    this.restartAfter(restartAfterMs);
    await restarted;
  }

  /** Stops the app (SIGTERM, then SIGKILL after the grace period) and restarts it no more. */
  async stop(graceMs?: number): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    for (const resolve of this.waiting.splice(0)) resolve();
    await stopApp(this.current, graceMs);
  }
}
