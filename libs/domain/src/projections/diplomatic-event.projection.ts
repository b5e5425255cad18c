import { type Actor, type DiplomaticEventDetectedV1 } from '@diplowatch/contracts';

/** The read model of one diplomatic event, as the projector stores it. */
export type DiplomaticEventView = {
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
  rulesVersion: string;
  firstSeenAt: string;
  lastSeenAt: string;
  sourceCount: number;
  lastSequence: number;
};

export type Detection = {
  data: DiplomaticEventDetectedV1;
  /** When the log recorded the detection: used instead of the clock so rebuilds match. */
  occurredAt: string;
  streamSequence: number;
  /** Whether this detection comes from an article not yet counted among the sources. */
  isNewSource: boolean;
};

function union<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}

const earliest = (a: string, b: string) => (a <= b ? a : b);
const latest = (a: string, b: string) => (a >= b ? a : b);

/**
 * evolve(view | null, detection) -> view. Several outlets reporting one act are folded into
 * one view (see consolidation.ts for which act a detection belongs to); each adds its sources,
 * countries, actors and topics, and the view keeps the highest confidence. A report that states
 * the date corrects one dated by publication; the latest stated end date wins. Pure and order-insensitive for
 * everything but `summary`, which is the first report's (stream order makes that deterministic).
 */
export function evolveDiplomaticEvent(
  view: DiplomaticEventView | null,
  detection: Detection,
): DiplomaticEventView {
  const { data, occurredAt, streamSequence } = detection;
  const seenAt = data.publishedAt ?? occurredAt;
  const eventDate = data.startDate ?? seenAt.slice(0, 10);
  if (!view) {
    return {
      id: data.diplomaticEventId,
      type: data.type,
      countries: [...new Set(data.countries)].sort(),
      actors: union(data.actors, (actor) => actor.name),
      confidence: data.confidence,
      summary: data.summary,
      startDate: data.startDate,
      endDate: data.endDate,
      eventDate,
      place: data.place,
      topics: [...new Set(data.topics)].sort(),
      rulesVersion: data.rulesVersion,
      firstSeenAt: seenAt,
      lastSeenAt: seenAt,
      sourceCount: 1,
      lastSequence: streamSequence,
    };
  }
  return {
    ...view,
    countries: [...new Set([...view.countries, ...data.countries])].sort(),
    actors: union([...view.actors, ...data.actors], (actor) => actor.name),
    confidence: Math.max(view.confidence, data.confidence),
    startDate: view.startDate ?? data.startDate,
    // A later report can extend the act (a visit prolonged): the latest stated end wins.
    endDate:
      view.endDate && data.endDate ? latest(view.endDate, data.endDate) : (view.endDate ?? data.endDate),
    eventDate: view.startDate
      ? view.eventDate
      : data.startDate
        ? eventDate
        : earliest(view.eventDate, eventDate),
    place: view.place ?? data.place,
    topics: [...new Set([...view.topics, ...data.topics])].sort(),
    rulesVersion: latest(view.rulesVersion, data.rulesVersion),
    firstSeenAt: earliest(view.firstSeenAt, seenAt),
    lastSeenAt: latest(view.lastSeenAt, seenAt),
    sourceCount: view.sourceCount + (detection.isNewSource ? 1 : 0),
    lastSequence: Math.max(view.lastSequence, streamSequence),
  };
}
