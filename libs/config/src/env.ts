import { z } from 'zod';

// The only place that reads process.env. Each app parses its schema once at boot and
// stops with every problem listed if the environment is wrong.

const boolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const postgresUrl = z
  .string()
  .refine((value) => /^postgres(ql)?:\/\//.test(value), 'must be a postgresql:// URL');

const natsUrl = z
  .string()
  .refine(
    (value) => value.split(',').every((url) => /^(nats|tls|ws|wss):\/\/|^[\w.-]+:\d+$/.test(url.trim())),
    {
      message: 'must be nats://host:port (comma-separated for a cluster)',
    },
  );

export const baseEnvSchema = z.object({
  NATS_URL: natsUrl.default('nats://127.0.0.1:4222'),
  /** Prefix of every stream, subject and durable consumer; tests use a random one. */
  DW_NAMESPACE: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,40}$/)
    .default('diplowatch'),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  /** Port for /health (and later /metrics) on worker apps; 0 picks a free one. */
  HEALTH_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  /** Stream duplicate window: re-publishing within it is dropped by JetStream. */
  STREAM_DUPLICATE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(120),
  STREAM_MAX_AGE_DAYS: z.coerce.number().min(0).default(0),
  /** JetStream replicas of the streams: 1 on one server, 3 on a cluster (see docs/durability.md). */
  STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
});

/** Fetching feeds (the ingester polls them; the API fetches once when a feed is added). */
const feedFetchEnv = {
  /** Poll interval of feeds added without one (the registry keeps each feed's own). */
  POLL_INTERVAL_SECONDS: z.coerce.number().min(1).default(900),
  FETCH_TIMEOUT_MS: z.coerce.number().int().min(100).default(20_000),
  FETCH_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(10 * 1024 * 1024),
  /** Feeds on loopback/private addresses are refused unless this is set (demo and tests). */
  ALLOW_PRIVATE_NETWORKS: boolean.default(false),
  USER_AGENT: z.string().default('diplowatch/0.1 (+https://github.com/diplowatch)'),
};

export const ingesterEnvSchema = baseEnvSchema.extend({
  /** The feed registry (table feeds) lives here; see docs/ingester.md. */
  DATABASE_URL: postgresUrl,
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(5),
  /** Seed list ({url, title?, language?, pollIntervalSeconds?}[]) added to the registry at boot; FEED_URLS replaces it. */
  FEEDS_FILE: z.string().default('config/feeds.json'),
  FEED_URLS: z
    .string()
    .optional()
    .transform((value) =>
      value
        ?.split(',')
        .map((url) => url.trim())
        .filter(Boolean),
    ),
  /** Feeds fetched at once by one ingester, in all. */
  POLL_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(32),
  /** Feeds fetched at once from one host (politeness). */
  POLL_HOST_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(2),
  /** Longest wait between two attempts of a failing feed. */
  POLL_MAX_BACKOFF_SECONDS: z.coerce.number().int().min(1).default(86_400),
  /** How long a claimed feed stays reserved for its poller (covers queueing + fetch + publish). */
  POLL_LEASE_SECONDS: z.coerce.number().int().min(5).default(60),
  /** How often the registry is asked for due feeds. */
  POLL_TICK_MS: z.coerce.number().int().min(50).default(1000),
  /** Name of this replica in leases (default: host name, pid and a random suffix). */
  INGESTER_ID: z.string().min(1).max(200).optional(),
  ...feedFetchEnv,
});

export const classifierEnvSchema = baseEnvSchema.extend({
  /** Folder of the watch (rules as data); default: the bundled Russia–Southeast Asia watch. */
  WATCH_DIR: z.string().optional(),
});

export const projectorEnvSchema = baseEnvSchema.extend({
  DATABASE_URL: postgresUrl,
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(5),
});

export const apiEnvSchema = baseEnvSchema.extend({
  DATABASE_URL: postgresUrl,
  /** A read replica for the query endpoints (events, stats, exports); unset: DATABASE_URL. */
  DATABASE_READ_URL: postgresUrl.optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  /** Reads without an API key. Off by default; writes always need a key with the write scope. */
  API_READ_OPEN: boolean.default(false),
  ...feedFetchEnv,
});

export type BaseEnv = z.infer<typeof baseEnvSchema>;
export type IngesterEnv = z.infer<typeof ingesterEnvSchema>;
export type ClassifierEnv = z.infer<typeof classifierEnvSchema>;
export type ProjectorEnv = z.infer<typeof projectorEnvSchema>;
export type ApiEnv = z.infer<typeof apiEnvSchema>;

export class ConfigError extends Error {
  readonly code = 'CONFIG_ERROR';
}

/** Parses the environment; throws ConfigError naming every bad variable (values never shown). */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) => `  ${issue.path.join('.')}: ${issue.message}`)
    .join('\n');
  throw new ConfigError(`invalid environment:\n${problems}`);
}

/** For logs: a connection URL with any password replaced. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/** `npm start`: the whole pipeline on one machine, with embedded defaults where that can serve. */
export const startEnvSchema = z.object({
  /** Unset: an embedded PostgreSQL is started with its data under DATA_DIR. */
  DATABASE_URL: postgresUrl.optional(),
  NATS_URL: natsUrl.default('nats://127.0.0.1:4222'),
  DATA_DIR: z.string().default('.data'),
  EMBEDDED_POSTGRES_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DW_NAMESPACE: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,40}$/)
    .optional(),
});
export type StartEnv = z.infer<typeof startEnvSchema>;
