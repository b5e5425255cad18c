/**
 * Start-up order must not matter: an app started before its NATS server waits, says so on
 * its health endpoint, and gets going once the server appears.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventually } from '@diplowatch/testing';
import { type RunningApp, startApp, stopApp } from '../../scripts/lib/app-processes';
import { freePort } from '../../scripts/lib/infrastructure';

jest.setTimeout(120_000);

const natsServer = spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' }).stdout.trim();

(natsServer ? describe : describe.skip)('start-up order', () => {
  let app: RunningApp | undefined;
  let nats: ChildProcess | undefined;
  let dataDir: string;
  const logs: string[] = [];

  afterAll(async () => {
    if (app) await stopApp(app);
    nats?.kill('SIGTERM');
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('a classifier started before NATS reports "starting", then becomes ready when NATS comes up', async () => {
    const [natsPort, healthPort] = [await freePort(), await freePort()];
    app = startApp(
      'classifier',
      {
        NATS_URL: `nats://127.0.0.1:${natsPort}`,
        HEALTH_PORT: String(healthPort),
        DW_NAMESPACE: 'startup_order',
        LOG_LEVEL: 'warn',
      },
      { output: (line) => logs.push(line) },
    );
    const health = async (which: 'live' | 'ready') => {
      const response = await fetch(`http://127.0.0.1:${healthPort}/health/${which}`);
      return { status: response.status, body: (await response.json()) as { status: string } };
    };
    await eventually(async () =>
      expect(await health('ready')).toEqual({
        status: 503,
        body: expect.objectContaining({ status: 'starting' }),
      }),
    ).catch((error: unknown) => {
      process.stderr.write(`--- classifier logs ---\n${logs.join('\n')}\n`);
      throw error;
    });
    expect((await health('live')).status).toBe(200);

    dataDir = mkdtempSync(path.join(os.tmpdir(), 'dw-nats-'));
    nats = spawn(natsServer, ['-a', '127.0.0.1', '-p', String(natsPort), '-js', '-sd', dataDir], {
      stdio: 'ignore',
    });
    await eventually(async () => expect((await health('ready')).status).toBe(200), 60_000, 500);
    expect(app.child.exitCode).toBeNull();
  });
});
