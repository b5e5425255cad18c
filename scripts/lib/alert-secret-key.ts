import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from '@diplowatch/config';
import { z } from 'zod';

/**
 * The key that seals subscriptions' webhook secrets (API) and opens them (alerter): the
 * ALERT_SECRET_KEY given, else one generated on first start into DATA_DIR/alert-secret-key,
 * readable by the owner only. Never logged.
 */
export function ensureAlertSecretKey(dataDir: string, log: (line: string) => void): string {
  const given = parseEnv(z.object({ ALERT_SECRET_KEY: z.string().optional() })).ALERT_SECRET_KEY;
  if (given) return given;
  const file = path.join(dataDir, 'alert-secret-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('hex');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  log(`generated the key that seals alert webhook secrets into ${path.relative(process.cwd(), file)}`);
  return key;
}
