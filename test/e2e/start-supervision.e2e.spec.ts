/**
 * `npm start` supervises its apps: one killed with kill -9 comes back on its own while the
 * others keep running, and SIGTERM to `npm start` stops every app.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  connectTestNats,
  deleteNamespace,
  eventually,
  testNamespace,
  testNatsUrl,
} from '@diplowatch/testing';
import { appEntry, repoRoot, waitForHttp } from '../../scripts/lib/app-processes';
import { freePort } from '../../scripts/lib/infrastructure';

jest.setTimeout(240_000);

/** pid of each app `npm start` runs, found among its children by their entry points. */
function appPids(parent: number): Map<string, number> {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(parent)], { encoding: 'utf8' });
  const pids = new Map<string, number>();
  for (const line of out.split('\n')) {
    const match = /^\s*(\d+)\s+.*dist\/apps\/(\w+)\/src\/main\.js/.exec(line);
    if (match) pids.set(match[2]!, Number(match[1]));
  }
  return pids;
}
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm start (scripts/start.ts) as a supervisor', () => {
  const namespace = testNamespace('start');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dw-start-'));
  const lines: string[] = [];
  let start: ChildProcess;
  let exited: Promise<number | null>;

  afterAll(async () => {
    if (start && start.exitCode === null) {
      start.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
    const nc = await connectTestNats();
    await deleteNamespace(nc, namespace);
    await nc.close();
  });

  it('restarts an app killed with kill -9, keeps the rest, and stops all on SIGTERM', async () => {
    const startScript = path.join(repoRoot, 'dist', 'scripts', 'start.js');
    if (!existsSync(startScript) || !existsSync(appEntry('classifier'))) {
      throw new Error('dist/ missing: run "npm run build" first');
    }
    const port = await freePort();
    start = spawn(process.execPath, [startScript], {
      env: {
        ...process.env,
        DATABASE_URL: process.env.DATABASE_URL,
        NATS_URL: testNatsUrl(),
        DW_NAMESPACE: namespace,
        DATA_DIR: dataDir,
        PORT: String(port),
        // One feed the SSRF guard refuses (loopback): this is about the processes, not polling.
        FEED_URLS: 'http://127.0.0.1:9/start-supervision.xml',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    exited = new Promise((resolve) => start.once('exit', (code) => resolve(code)));
    for (const stream of [start.stdout!, start.stderr!]) {
      stream.setEncoding('utf8').on('data', (chunk: string) => lines.push(...chunk.split('\n')));
    }
    try {
      await eventually(
        () => expect(lines.some((line) => line.includes('API ready'))).toBe(true),
        120_000,
        500,
      );
      const before = appPids(start.pid!);
      expect([...before.keys()].sort()).toEqual(['alerter', 'api', 'classifier', 'ingester', 'projector']);

      process.kill(before.get('classifier')!, 'SIGKILL');
      await eventually(
        async () => {
          const now = appPids(start.pid!);
          expect(now.get('classifier')).toBeDefined();
          expect(now.get('classifier')).not.toBe(before.get('classifier'));
        },
        60_000,
        250,
      );
      expect(lines.join('\n')).toMatch(
        /classifier exited unexpectedly \(signal SIGKILL\); restarting in \d+ ms/,
      );
      // The others were left alone, and the pipeline still answers.
      const after = appPids(start.pid!);
      for (const app of ['ingester', 'projector', 'api', 'alerter'])
        expect(after.get(app)).toBe(before.get(app));
      expect(start.exitCode).toBeNull();
      await waitForHttp(`http://127.0.0.1:${port}/health/live`, 10_000);

      start.kill('SIGTERM');
      expect(await exited).toBe(0);
      for (const pid of after.values()) expect(alive(pid)).toBe(false);
    } catch (error) {
      process.stderr.write(`--- npm start output (last 60 lines) ---\n${lines.slice(-60).join('\n')}\n`);
      throw error;
    }
  });
});
