// `npm run feed:check -- FILE_OR_URL...` — runs the ingester's own fetch-and-parse path on each
// argument, publishing nothing, and prints one JSON line per argument to stdout:
//   {"input","outcome":"parsed"|"salvaged"|"rejected","format","items","error"}
// URLs are fetched exactly as the poller fetches them (private-network guard, size cap, total
// deadline, 5 redirects; FETCH_TIMEOUT_MS, FETCH_MAX_BYTES, USER_AGENT, ALLOW_PRIVATE_NETWORKS
// apply); `--allow-private` lets it reach this machine's own servers. Anything else is read as a
// file. Exit code 0 once every argument has its line (whatever the outcomes), 2 on bad usage.
import { ingesterEnvSchema, parseEnv } from '@diplowatch/config';
import { checkFeedInput } from '../apps/ingester/src/feed-fetch';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const allowPrivate = args.includes('--allow-private');
  const inputs = args.filter((arg) => arg !== '--allow-private');
  if (inputs.length === 0 || inputs.some((arg) => arg.startsWith('--'))) {
    process.stderr.write('usage: npm run feed:check -- [--allow-private] FILE_OR_URL...\n');
    return 2;
  }
  const env = parseEnv(
    ingesterEnvSchema.pick({
      FETCH_TIMEOUT_MS: true,
      FETCH_MAX_BYTES: true,
      USER_AGENT: true,
      ALLOW_PRIVATE_NETWORKS: true,
    }),
  );
  const settings = {
    timeoutMs: env.FETCH_TIMEOUT_MS,
    maxBytes: env.FETCH_MAX_BYTES,
    userAgent: env.USER_AGENT,
    allowPrivateNetworks: allowPrivate || env.ALLOW_PRIVATE_NETWORKS,
  };
  for (const input of inputs) {
    const line = await checkFeedInput(input, settings);
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`feed:check failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
