import { type z } from 'zod';
import { type Envelope, envelopeSchema } from './envelope';
import { articleIngestedV1 } from './events/article-ingested.v1';
import { articleSourceAddedV1 } from './events/article-source-added.v1';
import { articleClassifiedV1 } from './events/article-classified.v1';
import { diplomaticEventDetectedV1 } from './events/diplomatic-event-detected.v1';

/**
 * The one place that lists every event: its type, current version, schema and subject token.
 * Older versions get an upcaster here when a schema changes; consumers only see the latest.
 */
export const eventRegistry = {
  ArticleIngested: { version: 1, schema: articleIngestedV1, subject: 'article.ingested' },
  ArticleSourceAdded: { version: 1, schema: articleSourceAddedV1, subject: 'article.source-added' },
  ArticleClassified: { version: 1, schema: articleClassifiedV1, subject: 'article.classified' },
  DiplomaticEventDetected: {
    version: 1,
    schema: diplomaticEventDetectedV1,
    subject: 'diplomatic-event.detected',
  },
} as const;

export type EventType = keyof typeof eventRegistry;
export type EventData<T extends EventType> = z.infer<(typeof eventRegistry)[T]['schema']>;
export type NewsEvent = { [T in EventType]: Envelope<T, EventData<T>> }[EventType];
export type NewsEventOf<T extends EventType> = Extract<NewsEvent, { type: T }>;

export const eventTypes = Object.keys(eventRegistry) as EventType[];

/** Upcasters: (version, data) -> latest data. None yet: every event is at version 1. */
const upcasters: { [T in EventType]?: Record<number, (data: unknown) => unknown> } = {};

export class EventDecodeError extends Error {
  readonly code = 'EVENT_DECODE_ERROR';
  constructor(message: string) {
    super(message);
    this.name = 'EventDecodeError';
  }
}

function isEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(eventRegistry, type);
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

/** Parses, checks and upcasts one message body. Throws EventDecodeError with the reason. */
export function decodeEvent(body: Uint8Array | string): NewsEvent {
  let json: unknown;
  try {
    json = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
  } catch (error) {
    throw new EventDecodeError(`not JSON: ${(error as Error).message}`);
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) throw new EventDecodeError(`bad envelope: ${describeIssues(envelope.error)}`);
  const { type, version } = envelope.data;
  if (!isEventType(type)) throw new EventDecodeError(`unknown event type "${type}"`);
  const entry = eventRegistry[type];
  let data = envelope.data.data;
  if (version !== entry.version) {
    const upcast = upcasters[type]?.[version];
    if (!upcast) throw new EventDecodeError(`unsupported version ${version} of ${type}`);
    data = upcast(data);
  }
  const parsed = entry.schema.safeParse(data);
  if (!parsed.success)
    throw new EventDecodeError(`bad ${type} v${version} data: ${describeIssues(parsed.error)}`);
  return { ...envelope.data, type, version: entry.version, data: parsed.data } as NewsEvent;
}

/** Builds and validates an envelope before publishing, which catches producer bugs early. */
export function createEvent<T extends EventType>(
  type: T,
  args: {
    id: string;
    data: EventData<T>;
    occurredAt?: Date;
    correlationId?: string;
    causationId?: string | null;
  },
): NewsEventOf<T> {
  const entry = eventRegistry[type];
  const parsed = entry.schema.safeParse(args.data);
  if (!parsed.success)
    throw new EventDecodeError(`refusing to publish bad ${type}: ${describeIssues(parsed.error)}`);
  return {
    type,
    version: entry.version,
    id: args.id,
    occurredAt: (args.occurredAt ?? new Date()).toISOString(),
    data: parsed.data,
    metadata: { correlationId: args.correlationId ?? args.id, causationId: args.causationId ?? null },
  } as NewsEventOf<T>;
}

export function encodeEvent(event: NewsEvent): Uint8Array {
  return Buffer.from(JSON.stringify(event), 'utf8');
}
