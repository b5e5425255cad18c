import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const APPS = ['ingester', 'classifier', 'projector', 'api', 'alerter'] as const;
export type AppName = (typeof APPS)[number];

/** The checkout: found by walking up, as this file runs both from scripts/ and from dist/scripts/. */
function findRepoRoot(from: string): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'package.json')) || !existsSync(path.join(dir, 'nest-cli.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no diplowatch checkout above ${from}`);
    dir = parent;
  }
  return dir;
}

export const repoRoot = findRepoRoot(__dirname);

/** Compiled entry point of an app (npm run build puts it under dist/). */
export function appEntry(app: AppName): string {
  return path.join(repoRoot, 'dist', 'apps', app, 'src', 'main.js');
}

export type RunningApp = { name: string; child: ChildProcess; exited: Promise<number | null> };

/** Starts one app as its own process, its log lines prefixed with its name. */
export function startApp(
  name: AppName,
  env: NodeJS.ProcessEnv,
  options: { label?: string; output?: (line: string) => void } = {},
): RunningApp {
  const label = options.label ?? name;
  const output = options.output ?? ((line: string) => process.stdout.write(`${line}\n`));
  const child = spawn(process.execPath, ['--enable-source-maps', appEntry(name)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[${label.padEnd(10)}]`;
  const pipe = (stream: NodeJS.ReadableStream | null) => {
    let buffer = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) output(`${prefix} ${line}`);
    });
  };
  pipe(child.stdout);
  pipe(child.stderr);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name: label, child, exited };
}

/** SIGTERM, then SIGKILL if the app has not drained within the grace period. */
export async function stopApp(app: RunningApp, graceMs = 15_000): Promise<void> {
  if (app.child.exitCode !== null || app.child.signalCode !== null) return;
  app.child.kill('SIGTERM');
  const timer = setTimeout(() => app.child.kill('SIGKILL'), graceMs);
  await app.exited;
  clearTimeout(timer);
}

export async function waitForHttp(
  url: string,
  timeoutMs: number,
  isReady: (status: number) => boolean = (s) => s === 200,
) {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (isReady(response.status)) return;
      lastError = `HTTP ${response.status}`;
    } catch (error) {
      lastError = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (${lastError})`);
}
