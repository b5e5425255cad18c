// Jest global setup (int and e2e projects): one fresh, migrated database per run. Workers
// start after this and inherit the environment, so every test of the run uses it.
import { createTestDatabase } from './database';

export default async function globalSetup(): Promise<void> {
  const database = await createTestDatabase();
  process.env.DATABASE_URL = database.url;
  process.env.TEST_DATABASE_NAME = database.name;
}
