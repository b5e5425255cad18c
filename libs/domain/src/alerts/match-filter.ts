import { type AlertedEventState } from './alerted-event';
import { type SubscriptionFilter } from './subscription';

/** Lower case, accents dropped, punctuation to spaces, padded: phrase search on whole words. */
export function normalizeForMatch(text: string): string {
  const folded = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  return ` ${folded} `;
}

/** True when every word of `phrase`, in order and adjacent, appears in `normalizedText`. */
function containsPhrase(normalizedText: string, phrase: string): boolean {
  const needle = normalizeForMatch(phrase);
  return needle.trim().length > 0 && normalizedText.includes(needle);
}

/** The text keyword filters look in, normalized once per event. */
export function matchableText(state: AlertedEventState): string {
  const { view } = state;
  return normalizeForMatch(
    [
      view.summary,
      view.place ?? '',
      view.topics.join(' '),
      view.actors.map((actor) => `${actor.name} ${actor.office ?? ''}`).join(' '),
      state.evidence.join(' '),
    ].join(' \n '),
  );
}

/**
 * Whether a diplomatic event passes a subscription's filter: every criterion given must hold
 * (lists are "any of", except countries with countryMatch "all"). An empty filter matches all.
 */
export function matchesFilter(
  filter: SubscriptionFilter,
  state: AlertedEventState,
  text: string = matchableText(state),
): boolean {
  const { view } = state;
  const countries = new Set(view.countries);
  if (filter.countries.length > 0) {
    const hit = (code: string) => countries.has(code);
    const ok = filter.countryMatch === 'all' ? filter.countries.every(hit) : filter.countries.some(hit);
    if (!ok) return false;
  }
  if (filter.pair && !(countries.has(filter.pair[0]) && countries.has(filter.pair[1]))) return false;
  if (filter.types.length > 0 && !filter.types.includes(view.type as (typeof filter.types)[number]))
    return false;
  if (view.confidence < filter.minConfidence) return false;
  if (filter.actors.length > 0) {
    const names = view.actors.map((actor) => normalizeForMatch(actor.name));
    if (!filter.actors.some((wanted) => names.some((name) => containsPhrase(name, wanted)))) return false;
  }
  if (filter.keywords.length > 0 && !filter.keywords.some((keyword) => containsPhrase(text, keyword)))
    return false;
  return true;
}
