import { type AlertedEventState } from './alerted-event';
import { type SpikeOptions, type SubscriptionFilter } from './subscription';

// Spikes: "this week's count for a country pair or a type is well above its usual level".
// The alerter counts new diplomatic events per key and ISO week (by when the log recorded
// them), in the same transaction that records the event, so the counts are exact.

const DAY_MS = 86_400_000;

/** Monday (UTC) of the ISO week holding an instant, as YYYY-MM-DD. */
export function isoWeekStart(instant: string | Date): string {
  const time = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  const day = new Date(Math.floor(time / DAY_MS) * DAY_MS);
  const sinceMonday = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - sinceMonday * DAY_MS).toISOString().slice(0, 10);
}

/** The Mondays of the `count` weeks before `weekStart`, most recent first. */
export function previousWeekStarts(weekStart: string, count: number): string[] {
  const start = Date.parse(`${weekStart}T00:00:00.000Z`);
  return Array.from({ length: count }, (_, index) =>
    new Date(start - (index + 1) * 7 * DAY_MS).toISOString().slice(0, 10),
  );
}

/** What a new diplomatic event counts towards: its type and every pair of its countries. */
export function spikeKeysOf(state: AlertedEventState): string[] {
  const countries = [...state.view.countries].sort();
  const keys = [`type:${state.view.type}`];
  for (let i = 0; i < countries.length; i++)
    for (let j = i + 1; j < countries.length; j++) keys.push(`pair:${countries[i]}-${countries[j]}`);
  return keys;
}

/**
 * The keys a subscription hears spikes about: the pairs within the countries its filter names
 * and the types it names. A filter that names countries but no type hears no type spikes (a
 * RUS–LAO watcher does not want the world's agreements); one that names neither hears all.
 */
export function spikeKeysFor(filter: SubscriptionFilter, keys: string[]): string[] {
  const named = new Set([...filter.countries, ...(filter.pair ?? [])]);
  const types = new Set<string>(filter.types);
  return keys.filter((key) => {
    if (key.startsWith('type:')) return types.size > 0 ? types.has(key.slice(5)) : named.size === 0;
    if (named.size === 0) return types.size === 0;
    const [a, b] = key.slice('pair:'.length).split('-');
    return named.has(a!) && named.has(b!);
  });
}

export function spikeLabel(key: string): string {
  return key.startsWith('pair:') ? key.slice(5).replace('-', '–') : key.slice(5).replace(/_/g, ' ');
}

export type SpikeVerdict = { spike: boolean; baseline: number; threshold: number };

/**
 * A spike when this week's count reaches max(minCount, ⌈ratio × mean⌉, ⌈mean + 3σ⌉) over the
 * previous weeks (missing weeks count 0). The 3σ term keeps a usually bursty key from
 * alerting on its ordinary bursts; minCount keeps rare keys from alerting on their second event.
 */
export function detectSpike(current: number, history: number[], options: SpikeOptions): SpikeVerdict {
  const weeks = history.length;
  const mean = weeks === 0 ? 0 : history.reduce((sum, count) => sum + count, 0) / weeks;
  const variance = weeks === 0 ? 0 : history.reduce((sum, count) => sum + (count - mean) ** 2, 0) / weeks;
  const threshold = Math.max(
    options.minCount,
    Math.ceil(options.ratio * mean - 1e-9),
    Math.ceil(mean + 3 * Math.sqrt(variance) - 1e-9),
  );
  return { spike: current >= threshold, baseline: Math.round(mean * 100) / 100, threshold };
}
