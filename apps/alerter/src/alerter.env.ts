import { baseEnvSchema, projectorEnvSchema } from '@diplowatch/config';
import { alertSecretKeySetting, receiverAllowListSetting } from '@diplowatch/domain';
import { z } from 'zod';

const milliseconds = (fallback: number, min = 1) => z.coerce.number().int().min(min).default(fallback);

/** The alerter's environment (parsed once at boot by parseEnv; values are never logged). */
export const alerterEnvSchema = baseEnvSchema.extend({
  DATABASE_URL: projectorEnvSchema.shape.DATABASE_URL,
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /** Opens the subscriptions' signing secrets (the API seals them with the same key). */
  ALERT_SECRET_KEY: alertSecretKeySetting,
  ALERT_RECEIVER_ALLOWLIST: receiverAllowListSetting,
  /** The durable consumer of DiplomaticEventDetected; replicas share it. */
  ALERTER_DURABLE: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('alerter'),
  /** Deadline of one delivery attempt: connect, send, and the receiver's answer. */
  ALERT_ATTEMPT_TIMEOUT_MS: milliseconds(10_000, 100),
  ALERT_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(15),
  ALERT_RETRY_BASE_MS: milliseconds(1000),
  ALERT_RETRY_MAX_MS: milliseconds(3_600_000),
  /** Deliveries in flight at once in this process, and to any one receiver (URL origin). */
  ALERT_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(64),
  ALERT_RECEIVER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(4),
  /** How often due deliveries are looked for when nothing wakes the worker (retries, other replicas). */
  ALERT_POLL_INTERVAL_MS: milliseconds(500, 10),
  /** How often digests are checked for, and how long after a period ends they are built. */
  ALERT_DIGEST_INTERVAL_MS: milliseconds(60_000, 100),
  ALERT_DIGEST_GRACE_MS: milliseconds(60_000, 0),
  /** Retention of the alerts stream (the "nats" channel). */
  ALERT_STREAM_MAX_AGE_DAYS: z.coerce.number().min(0).default(7),
  USER_AGENT: z.string().default('diplowatch-alerter/0.1 (+https://github.com/diplowatch)'),
});
export type AlerterEnv = z.infer<typeof alerterEnvSchema>;
