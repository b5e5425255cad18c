// Jest global teardown (int and e2e projects): drops the run's database from global-setup.ts.
// KEEP_TEST_DATABASE=1 keeps it for a look after a failure.
import { dropTestDatabase } from './database';

export default async function globalTeardown(): Promise<void> {
  const name = process.env.TEST_DATABASE_NAME;
  if (!name) return;
  if (process.env.KEEP_TEST_DATABASE) {
    process.stdout.write(`\nkept test database ${name}\n`);
    return;
  }
  await dropTestDatabase(name);
}
