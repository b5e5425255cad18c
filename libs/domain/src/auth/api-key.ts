import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// API keys look like `dw_<id>_<secret>`: the id finds the row without a scan, the secret
// (32 random bytes) is what proves possession. A fast hash is enough for a secret with
// 256 bits of entropy; slow hashes exist for guessable passwords.

export const apiKeyScopes = ['read', 'write', 'admin'] as const;
export type ApiKeyScope = (typeof apiKeyScopes)[number];

export type IssuedApiKey = { id: string; key: string; hash: string };

const KEY_PATTERN = /^dw_([a-f0-9]{12})_([A-Za-z0-9_-]{43})$/;

export function hashApiKeySecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function issueApiKey(random: (size: number) => Buffer = randomBytes): IssuedApiKey {
  const id = random(6).toString('hex');
  const secret = random(32).toString('base64url');
  return { id, key: `dw_${id}_${secret}`, hash: hashApiKeySecret(secret) };
}

export function parseApiKey(key: string): { id: string; secret: string } | null {
  const match = KEY_PATTERN.exec(key.trim());
  return match ? { id: match[1]!, secret: match[2]! } : null;
}

/** Constant-time comparison of a presented secret with the stored hash. */
export function apiKeyMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashApiKeySecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/** admin implies write implies read. */
export function scopeAllows(granted: readonly string[], required: ApiKeyScope): boolean {
  if (granted.includes('admin')) return true;
  if (required === 'read') return granted.includes('read') || granted.includes('write');
  return granted.includes(required);
}
