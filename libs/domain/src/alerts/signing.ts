import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// Webhook signatures, Stripe-style: HMAC-SHA256 with the subscription's secret over
// `${timestamp}.${body}`, sent as `Diplowatch-Signature: v1=<hex>` beside
// `Diplowatch-Timestamp: <unix seconds>`. Signing the timestamp lets receivers refuse replays
// of an old request; the `v1=` prefix leaves room for another scheme (or a second secret
// during a rotation) in the same header, comma-separated.

export const ALERT_ID_HEADER = 'Diplowatch-Alert-Id';
export const TIMESTAMP_HEADER = 'Diplowatch-Timestamp';
export const SIGNATURE_HEADER = 'Diplowatch-Signature';

const SECRET_PREFIX = 'whsec_';

/** A new per-subscription secret (shown to its owner once, at creation). */
export function generateWebhookSecret(random: (size: number) => Buffer = randomBytes): string {
  return `${SECRET_PREFIX}${random(32).toString('base64url')}`;
}

/** The hex HMAC; the key is the secret string exactly as shown to the owner. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export function signatureHeaders(secret: string, timestamp: number, body: string): Record<string, string> {
  return {
    [TIMESTAMP_HEADER]: String(timestamp),
    [SIGNATURE_HEADER]: `v1=${signWebhook(secret, timestamp, body)}`,
  };
}

/**
 * What a receiver does (and the README shows): recompute the HMAC over the raw body, compare
 * in constant time with any v1 signature in the header, and refuse timestamps too far from now.
 */
export function verifyWebhookSignature(args: {
  secret: string;
  body: string;
  timestamp: string | undefined;
  signatureHeader: string | undefined;
  nowSeconds: number;
  toleranceSeconds?: number;
}): boolean {
  const timestamp = Number(args.timestamp);
  if (!args.timestamp || !Number.isInteger(timestamp)) return false;
  if (Math.abs(args.nowSeconds - timestamp) > (args.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(args.secret, timestamp, args.body), 'hex');
  return (args.signatureHeader ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith('v1='))
    .some((part) => {
      const given = Buffer.from(part.slice(3), 'hex');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}

// Secrets at rest. The alerter needs the raw secret to sign, so it cannot be hashed like an API
// key: it is sealed with AES-256-GCM under ALERT_SECRET_KEY (the API seals, the alerter opens).
// A database dump alone then reveals no secret. Format: `v1.<iv>.<tag>.<ciphertext>`, base64url.

export class SecretKeyError extends Error {
  readonly code = 'ALERT_SECRET_KEY_INVALID';
}

/** ALERT_SECRET_KEY: 32 bytes as 64 hex characters or as base64/base64url (43–44 characters). */
export function parseSecretKey(value: string): Buffer {
  const trimmed = value.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key.length !== 32) throw new SecretKeyError('must be 32 bytes, as 64 hex characters or base64');
  return key;
}

export function sealSecret(
  secret: string,
  key: Buffer,
  random: (size: number) => Buffer = randomBytes,
): string {
  const iv = random(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), ciphertext]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/** Throws when the sealed value was altered or sealed under another key. */
export function openSecret(sealed: string, key: Buffer): string {
  const [version, iv, tag, ciphertext] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || ciphertext === undefined)
    throw new SecretKeyError('not a sealed secret');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw new SecretKeyError('cannot open the secret: wrong ALERT_SECRET_KEY or altered data');
  }
}
