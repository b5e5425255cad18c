import { createHash, randomBytes } from 'node:crypto';
import { type Actor } from '@diplowatch/contracts';
import { type AlertedEventState, type DetectionRecord } from './alerted-event';

// The alert as receivers see it: the body of a webhook, the data of an SSE event and the
// message on the NATS subject. Versioned; fields are only ever added within a version.

export const ALERT_PAYLOAD_VERSION = 1;

export type AlertKind = 'diplomatic_event.new' | 'diplomatic_event.updated' | 'spike' | 'digest' | 'sample';

export type AlertedEventSummary = {
  id: string;
  type: string;
  countries: string[];
  actors: Actor[];
  confidence: number;
  summary: string;
  startDate: string | null;
  endDate: string | null;
  eventDate: string;
  place: string | null;
  topics: string[];
  sourceCount: number;
  sourceArticleIds: string[];
  /** When the event log first recorded it. */
  firstRecordedAt: string;
};

export type AlertTrigger = { articleId: string; streamSequence: number; recordedAt: string };

export type SpikeReport = {
  /** "pair:IDN-RUS" or "type:visit". */
  key: string;
  label: string;
  /** Monday (UTC) of the ISO week counted. */
  weekStart: string;
  count: number;
  /** Mean weekly count over the previous weeks. */
  baseline: number;
  threshold: number;
};

export type DigestReport = {
  cadence: 'daily' | 'weekly';
  from: string;
  to: string;
  total: number;
  byType: Record<string, number>;
  /** Most confident first, at most DIGEST_MAX_EVENTS. */
  events: AlertedEventSummary[];
  truncated: boolean;
};

type Common = {
  /** The idempotency id: the same alert always has the same id. Receivers drop repeats by it. */
  id: string;
  version: typeof ALERT_PAYLOAD_VERSION;
  subscriptionId: string;
  subscriptionName: string;
  createdAt: string;
};

export type AlertPayload =
  | (Common & { kind: 'diplomatic_event.new'; diplomaticEvent: AlertedEventSummary; trigger: AlertTrigger })
  | (Common & {
      kind: 'diplomatic_event.updated';
      diplomaticEvent: AlertedEventSummary;
      trigger: AlertTrigger;
      change: {
        sourceAdded: boolean;
        typeChanged: boolean;
        previousType: string;
        previousSourceCount: number;
        addedCountries: string[];
      };
    })
  | (Common & {
      kind: 'spike';
      spike: SpikeReport;
      diplomaticEvent: AlertedEventSummary;
      trigger: AlertTrigger;
    })
  | (Common & { kind: 'digest'; digest: DigestReport })
  | (Common & { kind: 'sample'; diplomaticEvent: AlertedEventSummary; note: string });

/** A deterministic id: hash(subscription, what the alert is about, which version of it). */
export function alertIdFor(subscriptionId: string, ...about: string[]): string {
  const hash = createHash('sha256')
    .update([subscriptionId, ...about].join('\u0000'))
    .digest('hex');
  return `alrt_${hash.slice(0, 32)}`;
}

export function summarizeEvent(state: AlertedEventState): AlertedEventSummary {
  const { view } = state;
  return {
    id: view.id,
    type: view.type,
    countries: view.countries,
    actors: view.actors,
    confidence: view.confidence,
    summary: view.summary,
    startDate: view.startDate,
    endDate: view.endDate,
    eventDate: view.eventDate,
    place: view.place,
    topics: view.topics,
    sourceCount: view.sourceCount,
    sourceArticleIds: state.sourceArticleIds,
    firstRecordedAt: state.firstRecordedAt,
  };
}

export function triggerOf(record: DetectionRecord): AlertTrigger {
  return {
    articleId: record.data.articleId,
    streamSequence: record.streamSequence,
    recordedAt: record.occurredAt,
  };
}

/** "Send a sample": a made-up alert with a fresh id, marked as a sample, through every channel. */
export function buildSampleAlert(
  subscription: { id: string; name: string },
  now: Date,
  random: (size: number) => Buffer = randomBytes,
): Extract<AlertPayload, { kind: 'sample' }> {
  return {
    id: `alrt_sample_${random(12).toString('hex')}`,
    version: ALERT_PAYLOAD_VERSION,
    kind: 'sample',
    subscriptionId: subscription.id,
    subscriptionName: subscription.name,
    createdAt: now.toISOString(),
    note: 'A sample alert sent on request: it reports no real diplomatic event.',
    diplomaticEvent: {
      id: 'sample',
      type: 'visit',
      countries: ['IDN', 'MYS', 'RUS'],
      actors: [
        { name: 'Sergei Shoigu', office: 'Security Council Secretary', country: 'RUS', role: 'actor' },
      ],
      confidence: 0.9,
      summary: 'Visit: RUS, IDN, MYS — Sergei Shoigu (Security Council Secretary) 2025-02-24..2025-02-28',
      startDate: '2025-02-24',
      endDate: '2025-02-28',
      eventDate: '2025-02-24',
      place: null,
      topics: ['defense', 'security'],
      sourceCount: 1,
      sourceArticleIds: ['sample'],
      firstRecordedAt: now.toISOString(),
    },
  };
}
