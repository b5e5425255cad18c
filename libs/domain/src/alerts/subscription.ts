import { createHash } from 'node:crypto';
import { countryCodeSchema, diplomaticEventTypes } from '@diplowatch/contracts';
import { z } from 'zod';

// What an analyst subscribes to: a filter over diplomatic events (the vocabulary of
// GET /events), where alerts go (channels) and which kinds of alert they want (options).

const countryCode = z.preprocess(
  (value) => (typeof value === 'string' ? value.trim().toUpperCase() : value),
  countryCodeSchema,
);

const phrase = z.string().trim().min(2).max(100);

export const subscriptionFilterSchema = z
  .object({
    /** Countries involved: all of them (default, like GET /events?country=) or any of them. */
    countries: z.array(countryCode).max(12).default([]),
    countryMatch: z.enum(['all', 'any']).default('all'),
    /** A country pair: both must be involved (e.g. ["RUS", "IDN"]). */
    pair: z
      .tuple([countryCode, countryCode])
      .refine(([a, b]) => a !== b, 'must name two different countries')
      .nullable()
      .default(null),
    /** Any of these people, matched on whole words of the actor's name ("Shoigu"). */
    actors: z.array(phrase).max(20).default([]),
    /** Any of these diplomatic event types. */
    types: z.array(z.enum(diplomaticEventTypes)).max(diplomaticEventTypes.length).default([]),
    minConfidence: z.number().min(0).max(1).default(0),
    /** Any of these words or phrases, in the summary, evidence, place, topics or actors. */
    keywords: z.array(phrase).max(20).default([]),
  })
  .strict();
export type SubscriptionFilter = z.infer<typeof subscriptionFilterSchema>;

function isReceiverUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password;
}

const receiverUrl = z
  .string()
  .max(2000)
  .refine(isReceiverUrl, 'must be an http(s) URL without credentials in it');

/**
 * Where alerts are pushed. Every subscription also has a Server-Sent Events stream in the API,
 * which needs no channel.
 */
export const channelSchema = z.discriminatedUnion('type', [
  /** Signed JSON (see signing.ts): Diplowatch-Alert-Id, Diplowatch-Timestamp, Diplowatch-Signature. */
  z.object({ type: z.literal('webhook'), url: receiverUrl }).strict(),
  /** A Slack incoming webhook: a message with blocks. */
  z.object({ type: z.literal('slack'), url: receiverUrl }).strict(),
  /** A Microsoft Teams incoming webhook (Workflows): a message with an Adaptive Card. */
  z.object({ type: z.literal('teams'), url: receiverUrl }).strict(),
  /** JetStream subject `<namespace>.alerts.<subscription id>`, for internal consumers. */
  z.object({ type: z.literal('nats') }).strict(),
]);
export type Channel = z.infer<typeof channelSchema>;
export type ChannelType = Channel['type'];

const channelsSchema = z
  .array(channelSchema)
  .max(5)
  .refine(
    (channels) => new Set(channels.map(channelKey)).size === channels.length,
    'must not list the same channel twice',
  );

const spikeOptionsSchema = z
  .object({
    /** Never a spike below this many events in the week. */
    minCount: z.number().int().min(1).max(1000).default(3),
    /** How many times the usual weekly count makes a spike. */
    ratio: z.number().min(1).max(100).default(2),
    /** How many previous weeks make "usual". */
    baselineWeeks: z.number().int().min(2).max(52).default(8),
  })
  .strict();
export type SpikeOptions = z.infer<typeof spikeOptionsSchema>;

export const subscriptionOptionsSchema = z
  .object({
    /** One alert per matching diplomatic event, as soon as it is detected. */
    instant: z.boolean().default(true),
    /** Also an alert when a diplomatic event already alerted gains sources or changes type. */
    updates: z.boolean().default(false),
    /** Alerts when this week's count for a matching country pair or type is well above usual. */
    spikes: z.preprocess(
      (value) => (value === true ? {} : value === false ? null : value),
      spikeOptionsSchema.nullable().default(null),
    ),
    /** A summary of the matching diplomatic events of each UTC day or ISO week. */
    digest: z.enum(['daily', 'weekly']).nullable().default(null),
  })
  .strict();
export type SubscriptionOptions = z.infer<typeof subscriptionOptionsSchema>;

export const createSubscriptionSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    filter: subscriptionFilterSchema.default(() => subscriptionFilterSchema.parse({})),
    channels: channelsSchema.default([]),
    options: subscriptionOptionsSchema.default(() => subscriptionOptionsSchema.parse({})),
  })
  .strict();
export type CreateSubscription = z.infer<typeof createSubscriptionSchema>;

/** PATCH: each field given replaces the stored one whole (a filter is not merged key by key). */
export const updateSubscriptionSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    filter: subscriptionFilterSchema.optional(),
    channels: channelsSchema.optional(),
    options: subscriptionOptionsSchema.optional(),
  })
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'nothing to change');
export type UpdateSubscription = z.infer<typeof updateSubscriptionSchema>;

export type SubscriptionStatus = 'active' | 'paused';

/** What matching needs to know about a subscription. */
export type SubscriptionForMatching = {
  id: string;
  filter: SubscriptionFilter;
  options: SubscriptionOptions;
  channels: Channel[];
  status: SubscriptionStatus;
  /** ISO time: a subscription hears about detections recorded from then on, not the history. */
  createdAt: string;
};

/**
 * A stable name for a channel, so a delivery can tell whether its channel still exists. Hashed:
 * chat webhook URLs are credentials and the key is shown in the delivery log.
 */
export function channelKey(channel: Channel): string {
  if (channel.type === 'nats') return 'nats';
  return `${channel.type}:${createHash('sha256').update(channel.url).digest('hex').slice(0, 16)}`;
}

/**
 * A receiver URL as shown back through the API and in logs: Slack and Teams put the credential
 * in the path, so only the origin is shown; webhook URLs keep their path but lose the query.
 */
export function displayTarget(channel: Channel): string {
  if (channel.type === 'nats') return 'nats';
  const url = new URL(channel.url);
  return channel.type === 'webhook' ? `${url.origin}${url.pathname}` : `${url.origin}/…`;
}
