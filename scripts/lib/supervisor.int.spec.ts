import { spawn } from 'node:child_process';
import { eventually } from '@diplowatch/testing';
import { type RunningApp } from './app-processes';
import { Supervisor, type UnexpectedExit } from './supervisor';

/** A real child process standing in for an app (no servers needed). */
function child(script: string): RunningApp {
  const process_ = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => process_.once('exit', (code) => resolve(code)));
  return { name: 'child', child: process_, exited };
}
const alive = (pid: number | undefined) => {
  try {
    process.kill(pid!, 0);
    return true;
  } catch {
    return false;
  }
};

describe('Supervisor', () => {
  const supervisors: Supervisor[] = [];
  afterEach(async () => {
    jest.useRealTimers();
    await Promise.all(supervisors.splice(0).map((s) => s.stop(1000)));
  });

  it('starts an app killed with SIGKILL again, and logs it', async () => {
    const lines: string[] = [];
    const supervisor = new Supervisor('worker', () => child('setInterval(() => {}, 1000)'), {
      minBackoffMs: 50,
      log: (line) => lines.push(line),
    });
    supervisors.push(supervisor);
    const first = supervisor.app.child.pid;
    supervisor.app.child.kill('SIGKILL');
    await eventually(async () => {
      expect(supervisor.restarts).toBe(1);
      expect(alive(supervisor.app.child.pid)).toBe(true);
    });
    expect(supervisor.app.child.pid).not.toBe(first);
    expect(alive(first)).toBe(false);
    expect(lines[0]).toBe('worker exited unexpectedly (signal SIGKILL); restarting in 50 ms');
    expect(lines[1]).toMatch(/^worker restarted \(pid \d+, restart 1\)$/);
  });

  it('backs off, doubling up to the cap, when an app keeps failing', async () => {
    const lines: string[] = [];
    const supervisor = new Supervisor('broken', () => child('process.exit(3)'), {
      minBackoffMs: 10,
      maxBackoffMs: 40,
      log: (line) => lines.push(line),
    });
    supervisors.push(supervisor);
    await eventually(async () => expect(supervisor.restarts).toBeGreaterThanOrEqual(5));
    const delays = lines
      .filter((line) => line.startsWith('broken exited'))
      .slice(0, 5)
      .map((line) => {
        expect(line).toContain('(code 3)');
        return Number(/restarting in (\d+) ms/.exec(line)![1]);
      });
    expect(delays).toEqual([10, 20, 40, 40, 40]);
  });

  it('stop() ends the app and restarts it no more', async () => {
    const lines: string[] = [];
    const supervisor = new Supervisor('worker', () => child('setInterval(() => {}, 1000)'), {
      minBackoffMs: 10,
      log: (line) => lines.push(line),
    });
    const pid = supervisor.app.child.pid;
    await supervisor.stop(1000);
    expect(alive(pid)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(supervisor.restarts).toBe(0);
    expect(lines).toEqual([]);
  });

  it('an app that exits while waiting for its restart is not started once stopped', async () => {
    const supervisor = new Supervisor('broken', () => child('process.exit(1)'), {
      minBackoffMs: 300,
      log: () => undefined,
    });
    await supervisor.app.exited;
    await supervisor.stop(1000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(supervisor.restarts).toBe(0);
  });
  it('calls onUnexpectedExit for an exit it did not cause, with the delay before the restart', async () => {
    const exits: UnexpectedExit[] = [];
    const supervisor = new Supervisor('worker', () => child('setInterval(() => {}, 1000)'), {
      minBackoffMs: 50,
      log: () => undefined,
      onUnexpectedExit: (exit) => exits.push(exit),
    });
    supervisors.push(supervisor);
    const first = supervisor.app;
    first.child.kill('SIGKILL');
    await eventually(async () => expect(supervisor.restarts).toBe(1));
    expect(exits).toEqual([{ app: first, code: null, signal: 'SIGKILL', restartInMs: 50 }]);
  });

  it('kill() restarts the app after the given delay, not as an unexpected exit', async () => {
    // Fake timers for the delay, real ones for the child process and its exit.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const lines: string[] = [];
    const exits: UnexpectedExit[] = [];
    const supervisor = new Supervisor('worker', () => child('setInterval(() => {}, 1000)'), {
      minBackoffMs: 50,
      log: (line) => lines.push(line),
      onUnexpectedExit: (exit) => exits.push(exit),
    });
    supervisors.push(supervisor);
    const first = supervisor.app;
    let restarted = false;
    const killing = supervisor.kill('SIGKILL', 5000).then(() => (restarted = true));
    await first.exited;
    await new Promise((resolve) => setImmediate(resolve));
    jest.advanceTimersByTime(4999);
    await new Promise((resolve) => setImmediate(resolve));
    expect(supervisor.restarts).toBe(0);
    expect(supervisor.app).toBe(first);
    expect(restarted).toBe(false);
    jest.advanceTimersByTime(1);
    await killing;
    expect(supervisor.restarts).toBe(1);
    expect(supervisor.app).not.toBe(first);
    expect(alive(supervisor.app.child.pid)).toBe(true);
    expect(exits).toEqual([]);
    expect(lines[0]).toBe('worker killed (SIGKILL); restarting in 5000 ms');
    expect(lines[1]).toMatch(/^worker restarted \(pid \d+, restart 1\)$/);
  });

  it('kill() leaves the backoff as it was', async () => {
    const exits: UnexpectedExit[] = [];
    const supervisor = new Supervisor('worker', () => child('setInterval(() => {}, 1000)'), {
      minBackoffMs: 50,
      log: () => undefined,
      onUnexpectedExit: (exit) => exits.push(exit),
    });
    supervisors.push(supervisor);
    await supervisor.kill('SIGKILL', 0);
    await supervisor.kill('SIGKILL', 0);
    supervisor.app.child.kill('SIGKILL');
    await eventually(async () => expect(supervisor.restarts).toBe(3));
    expect(exits.map((exit) => exit.restartInMs)).toEqual([50]);
  });

  it('kill() while a restart waits replaces that restart with its own: one new process', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    let launches = 0;
    const exits: UnexpectedExit[] = [];
    const supervisor = new Supervisor(
      'broken',
      () => (launches++, child(launches === 1 ? 'process.exit(1)' : 'setInterval(() => {}, 1000)')),
      { minBackoffMs: 1000, log: () => undefined, onUnexpectedExit: (exit) => exits.push(exit) },
    );
    supervisors.push(supervisor);
    await supervisor.app.exited;
    await tick();
    expect(exits.map((exit) => exit.restartInMs)).toEqual([1000]);
    const killing = supervisor.kill('SIGKILL', 5000);
    await tick();
    // The restart the exit scheduled is gone...
    jest.advanceTimersByTime(4999);
    await tick();
    expect(launches).toBe(1);
    // ...and the kill's own happens once.
    jest.advanceTimersByTime(1);
    await killing;
    jest.advanceTimersByTime(60_000);
    await tick();
    expect(launches).toBe(2);
    expect(supervisor.restarts).toBe(1);
    expect(alive(supervisor.app.child.pid)).toBe(true);
    expect(exits).toHaveLength(1);
  });

  it('stop() during a kill() ends the wait without a restart', async () => {
    const supervisor = new Supervisor('worker', () => child('setInterval(() => {}, 1000)'), {
      minBackoffMs: 10,
      log: () => undefined,
    });
    const first = supervisor.app;
    const killing = supervisor.kill('SIGKILL', 600_000);
    await first.exited;
    await supervisor.stop(1000);
    await killing;
    expect(supervisor.restarts).toBe(0);
  });
});
