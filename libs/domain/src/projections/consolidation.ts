import { type Actor, type DiplomaticEventDetectedV1 } from '@diplowatch/contracts';
import { type DiplomaticEventView } from './diplomatic-event.projection';

// Consolidation: many outlets reporting one act make one diplomatic event. The classifier
// gives each detection a merge key (its diplomaticEventId) that already joins reports with
// the same type, countries, principal actor and stated date or publication week; reports
// that differ a little (one names Malaysia too, one gives no date, one is published the next
// week) get different keys. The projector maps each detection onto an existing event when it
// is the same act by the rules below. Decisions depend only on the state built from earlier
// log entries, so replaying the log in the same order gives the same events.

/** How far apart (in days) a report's dates and an event's dates may be and still be one act. */
export const CONSOLIDATION_WINDOW_DAYS = 3;
/** An event's date range counts up to this many days (keeps the candidate lookup an index range). */
export const MAX_EVENT_SPAN_DAYS = 31;

const DAY_MS = 86_400_000;
const dayNumber = (isoDay: string) => Math.floor(Date.parse(`${isoDay}T00:00:00Z`) / DAY_MS);

/** The days a detection is about: the stated dates, else the day it was published (or logged). */
export function detectionDays(
  data: Pick<DiplomaticEventDetectedV1, 'startDate' | 'endDate' | 'publishedAt'>,
  occurredAt: string,
): { from: string; to: string } {
  const from = data.startDate ?? (data.publishedAt ?? occurredAt).slice(0, 10);
  const to = data.endDate && data.endDate > from ? data.endDate : from;
  return { from, to };
}

/** The days an event covers, its span capped at MAX_EVENT_SPAN_DAYS. */
export function eventDays(view: Pick<DiplomaticEventView, 'eventDate' | 'endDate'>): {
  from: number;
  to: number;
} {
  const from = dayNumber(view.eventDate);
  const end = view.endDate ? dayNumber(view.endDate) : from;
  return { from, to: Math.min(Math.max(from, end), from + MAX_EVENT_SPAN_DAYS) };
}

/** Whose act it is: the first actor with the role "actor", else the first one named. */
export function principalActor(actors: Actor[]): string | null {
  return (actors.find((actor) => actor.role === 'actor') ?? actors[0])?.name ?? null;
}

export type ConsolidationInput = {
  data: Pick<
    DiplomaticEventDetectedV1,
    'diplomaticEventId' | 'type' | 'countries' | 'actors' | 'startDate' | 'endDate' | 'publishedAt'
  >;
  occurredAt: string;
};

type Candidate = Pick<DiplomaticEventView, 'id' | 'type' | 'countries' | 'actors' | 'eventDate' | 'endDate'>;

export type MatchScore = { sharedCountries: number; dayGap: number };

/**
 * Whether a detection reports the act an existing event stands for, and how closely:
 * - the same type;
 * - the countries overlap: they share at least two, or all of the smaller set when it has one
 *   (RUS+IDN matches RUS+IDN+MYS; RUS+IDN does not match RUS+VNM);
 * - compatible principal actors: unknown on either side, or each side's principal is among
 *   the other's actors (a report naming only the host still joins);
 * - dates within CONSOLIDATION_WINDOW_DAYS of each other (as day ranges).
 * null when it is another act.
 */
export function matchDetection(input: ConsolidationInput, event: Candidate): MatchScore | null {
  const { data } = input;
  if (data.type !== event.type) return null;

  const theirs = new Set(event.countries);
  const sharedCountries = new Set(data.countries.filter((country) => theirs.has(country))).size;
  const needed = Math.min(2, new Set(data.countries).size, theirs.size);
  if (sharedCountries < needed || sharedCountries === 0) return null;

  const ours = principalActor(data.actors);
  const other = principalActor(event.actors);
  if (ours && other) {
    const ourNames = new Set(data.actors.map((actor) => actor.name));
    const theirNames = new Set(event.actors.map((actor) => actor.name));
    if (!theirNames.has(ours) && !ourNames.has(other)) return null;
  }

  const days = detectionDays(data, input.occurredAt);
  const span = eventDays(event);
  const from = dayNumber(days.from);
  const to = dayNumber(days.to);
  const dayGap = Math.max(0, from - span.to, span.from - to);
  if (dayGap > CONSOLIDATION_WINDOW_DAYS) return null;
  return { sharedCountries, dayGap };
}

export type ConsolidationDecision =
  | { kind: 'known'; diplomaticEventId: string }
  | { kind: 'merged'; diplomaticEventId: string; score: MatchScore }
  | { kind: 'new'; diplomaticEventId: string };

/**
 * Which diplomatic event a detection belongs to.
 * - Its merge key was seen before: the event that key was mapped to (the classifier already
 *   says it is the same act, and a replay of the log maps it the same way).
 * - Else the best matching candidate: most shared countries, then the smallest gap in days,
 *   then the smallest id (so the choice never depends on the candidates' order).
 * - Else a new event, identified by the detection's merge key.
 */
export function consolidateDetection(
  input: ConsolidationInput,
  knownKeyTarget: string | undefined,
  candidates: Iterable<Candidate>,
): ConsolidationDecision {
  if (knownKeyTarget !== undefined) return { kind: 'known', diplomaticEventId: knownKeyTarget };
  let best: { id: string; score: MatchScore } | undefined;
  for (const candidate of candidates) {
    const score = matchDetection(input, candidate);
    if (!score) continue;
    if (
      !best ||
      score.sharedCountries > best.score.sharedCountries ||
      (score.sharedCountries === best.score.sharedCountries &&
        (score.dayGap < best.score.dayGap || (score.dayGap === best.score.dayGap && candidate.id < best.id)))
    ) {
      best = { id: candidate.id, score };
    }
  }
  if (best) return { kind: 'merged', diplomaticEventId: best.id, score: best.score };
  return { kind: 'new', diplomaticEventId: input.data.diplomaticEventId };
}

/**
 * The range of event dates (ISO days) a candidate must start within to possibly match: a
 * superset the store can fetch by index before `matchDetection` decides exactly.
 */
export function candidateEventDateRange(input: ConsolidationInput): { from: string; to: string } {
  const days = detectionDays(input.data, input.occurredAt);
  const shift = (isoDay: string, by: number) =>
    new Date(Date.parse(`${isoDay}T00:00:00Z`) + by * DAY_MS).toISOString().slice(0, 10);
  return {
    from: shift(days.from, -(CONSOLIDATION_WINDOW_DAYS + MAX_EVENT_SPAN_DAYS)),
    to: shift(days.to, CONSOLIDATION_WINDOW_DAYS),
  };
}
