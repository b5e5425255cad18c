/**
 * What does "fsync every write" cost on this machine? (docs/durability.md)
 *
 * 1. Storage: appending 1 KiB records with an fsync after each, against one fsync at the end
 *    (what a periodic sync amounts to), on the filesystem that holds the data folder.
 * 2. JetStream: publishing with 256 in flight to a nats-server started with
 *    `sync_interval: always` against one with the default, when the server supports the
 *    option (2.10+); the 2.9 server on the build machine does not, and the report says so.
 * Prints one JSON line at the end.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { freePort } from '../../scripts/lib/infrastructure';

const records = Number(process.argv.find((arg) => arg.startsWith('--records='))?.split('=')[1] ?? 3000);
const messages = Number(process.argv.find((arg) => arg.startsWith('--messages='))?.split('=')[1] ?? 20000);
const baseDir = process.env.BENCH_DIR ?? path.resolve(process.cwd(), '.data');

function storageRate(dir: string, fsyncEach: boolean): number {
  const file = path.join(dir, `append-${fsyncEach ? 'sync' : 'batch'}.log`);
  const fd = openSync(file, 'a');
  const record = Buffer.alloc(1024, 'x');
  const start = process.hrtime.bigint();
  for (let i = 0; i < records; i++) {
    writeSync(fd, record);
    if (fsyncEach) fsyncSync(fd);
  }
  fsyncSync(fd);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  closeSync(fd);
  return Math.round(records / seconds);
}

async function jetstreamRate(dir: string, syncAlways: boolean): Promise<number> {
  const port = await freePort();
  const conf = path.join(dir, `nats-${syncAlways}.conf`);
  const storeDir = path.join(dir, `js-${syncAlways}`);
  writeFileSync(
    conf,
    `listen: 127.0.0.1:${port}\njetstream { store_dir: "${storeDir}"${syncAlways ? ', sync_interval: always' : ''} }\n`,
  );
  const server = spawn('nats-server', ['-c', conf], { stdio: 'ignore' });
  try {
    const nc = await connect({ servers: `127.0.0.1:${port}`, waitOnFirstConnect: true, noAsyncTraces: true });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'BENCH', subjects: ['bench.>'] });
    const js = jetstream(nc);
    const payload = new Uint8Array(1024);
    const start = process.hrtime.bigint();
    let next = 0;
    await Promise.all(
      Array.from({ length: 256 }, async () => {
        while (next < messages) {
          const i = next++;
          await js.publish('bench.x', payload, { msgID: String(i) });
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    await nc.close();
    return Math.round(messages / seconds);
  } finally {
    server.kill('SIGTERM');
  }
}

async function main() {
  const dir = mkdtempSync(path.join(baseDir.startsWith('/') ? baseDir : os.tmpdir(), 'durability-'));
  try {
    const batched = storageRate(dir, false);
    const synced = storageRate(dir, true);
    const probe = path.join(dir, 'probe.conf');
    writeFileSync(probe, `jetstream { store_dir: "${dir}/probe", sync_interval: always }\n`);
    const supported = spawnSync('nats-server', ['-t', '-c', probe], { encoding: 'utf8' }).status === 0;
    const version = spawnSync('nats-server', ['--version'], { encoding: 'utf8' }).stdout.trim();
    let jetstreamFigures: Record<string, unknown> = { supported: false, server: version };
    if (supported) {
      const periodic = await jetstreamRate(dir, false);
      const always = await jetstreamRate(dir, true);
      jetstreamFigures = {
        supported: true,
        server: version,
        periodicMsgPerSec: periodic,
        alwaysMsgPerSec: always,
        ratio: +(always / periodic).toFixed(3),
      };
    }
    process.stdout.write(
      `${JSON.stringify({
        bench: 'durability',
        storage: {
          recordBytes: 1024,
          records,
          periodicPerSec: batched,
          fsyncEachPerSec: synced,
          ratio: +(synced / batched).toFixed(4),
        },
        jetstream: jetstreamFigures,
      })}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
