// Reclassifies the stored articles with the current watch and republishes the results.
//
//   npm run reclassify [-- --dry-run] [--force] [--watch DIR] [--json]
//
// Reads DATABASE_URL (the read models: articles and the diplomatic events they reported),
// NATS_URL and DW_NAMESPACE (where to publish), WATCH_DIR (default: the bundled watch). Each
// result is published as the classifier app publishes it: ArticleClassified, then one
// DiplomaticEventDetected per act, with the watch's rules version on every one; a new rules
// version gives new event ids, so nothing is dropped as a duplicate. Articles already classified
// by this rules version and content are skipped unless --force. --dry-run publishes nothing and
// only reports. The report lists, per article, the diplomatic events that appeared, changed
// (type, countries, actors, dates) or vanished, then totals; with --json its last line is the
// totals as JSON.
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { z } from 'zod';
import { topology } from '@diplowatch/contracts';
import { baseEnvSchema, parseEnv, redactUrl } from '@diplowatch/config';
import { loadDefaultWatch, loadWatch } from '@diplowatch/domain';
import { EventPublisher, connectNats, ensureStreams } from '@diplowatch/messaging';
import { createPrismaClient } from '@diplowatch/persistence';
import { reclassify } from './lib/reclassify';
import { formatReclassifyReport } from './lib/reclassify-diff';

const reclassifyEnvSchema = baseEnvSchema.extend({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL'),
  WATCH_DIR: z.string().optional(),
});

const usage = 'usage: reclassify [--dry-run] [--force] [--watch DIR] [--json]';

const parseArgs = (args: string[]): { dryRun: boolean; force: boolean; json: boolean; watchDir?: string } => {
  const out: { dryRun: boolean; force: boolean; json: boolean; watchDir?: string } = {
    dryRun: false,
    force: false,
    json: false,
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--dry-run') out.dryRun = true;
    else if (a === '--force') out.force = true;
    else if (a === '--json') out.json = true;
    else if (a === '--watch' && args[i + 1] !== undefined) out.watchDir = args[++i];
    else throw new Error(`unknown argument ${a}\n${usage}`);
  }
  return out;
};

const main = async (): Promise<void> => {
  const args = parseArgs(process.argv.slice(2));
  const env = parseEnv(reclassifyEnvSchema);
  const watchDir = args.watchDir ?? env.WATCH_DIR;
  const watch = watchDir ? loadWatch(watchDir) : loadDefaultWatch();
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  log(`watch ${watch.id} rules ${watch.version}; database ${redactUrl(env.DATABASE_URL)}`);

  const prisma = createPrismaClient(env.DATABASE_URL, 4);
  const nc = args.dryRun
    ? null
    : await connectNats({ servers: env.NATS_URL, name: 'diplowatch-reclassify', log });
  try {
    let publisher: EventPublisher | null = null;
    if (nc) {
      const t = topology(env.DW_NAMESPACE);
      await ensureStreams(await jetstreamManager(nc), t, {
        duplicateWindowSeconds: env.STREAM_DUPLICATE_WINDOW_SECONDS,
        maxAgeDays: env.STREAM_MAX_AGE_DAYS,
        replicas: env.STREAM_REPLICAS,
      });
      publisher = new EventPublisher(jetstream(nc), t);
      log(`publishing to ${t.eventStream} at ${env.NATS_URL}`);
    } else {
      log('dry run: nothing is published');
    }
    const report = await reclassify({
      prisma,
      watch,
      publisher,
      force: args.force,
      onProgress: (done) => log(`${done} articles read`),
    });
    const header = `reclassify with ${report.watch}@${report.rulesVersion}${report.dryRun ? ' (dry run)' : ''}`;
    process.stdout.write(`${formatReclassifyReport(report.diffs, report.totals, header).join('\n')}\n`);
    if (args.json)
      process.stdout.write(
        `${JSON.stringify({ watch: report.watch, rulesVersion: report.rulesVersion, dryRun: report.dryRun, ...report.totals })}\n`,
      );
  } finally {
    await prisma.$disconnect();
    await nc?.drain();
  }
};

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
