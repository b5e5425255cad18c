import { type DiplomaticEventView } from './diplomatic-event.projection';

/** A change of diplomatic_event_country_counts_daily: events on `day` naming `country`. */
export type CountryCountDelta = { day: string; country: string; events: number };

/**
 * What replacing each `before` by its `after` changes in the per-country daily counts (an
 * event counts once on its event date for each of its countries; zero changes left out).
 * Beside the pair counts (dailyCountDeltas) because an event with three countries is in three
 * pairs: per-country counts cannot be summed from those.
 */
export function countryCountDeltas(
  changes: Array<[DiplomaticEventView | null, DiplomaticEventView]>,
): CountryCountDelta[] {
  const deltas = new Map<string, CountryCountDelta>();
  const add = (view: DiplomaticEventView, sign: 1 | -1) => {
    for (const country of new Set(view.countries)) {
      const key = `${view.eventDate} ${country}`;
      const delta = deltas.get(key) ?? { day: view.eventDate, country, events: 0 };
      delta.events += sign;
      deltas.set(key, delta);
    }
  };
  for (const [before, after] of changes) {
    if (before) add(before, -1);
    add(after, 1);
  }
  return [...deltas.values()].filter((delta) => delta.events !== 0);
}
