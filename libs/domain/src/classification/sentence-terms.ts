import type { DiplomaticEventType } from '@diplowatch/contracts';
import type { EntityRef, OfficialRef, TermTag, TriggerRef, Watch } from './compile-watch';
import { longestFirst, tokenize, type Match } from './term-index';
import type { ArticleText } from './text';

/** Every term of a watch found in one sentence, by category, each read leftmost-longest. */
export type SentenceTerms = {
  /** Country, body and bloc mentions, outside suppressed phrases ("Malaysia Airlines"). */
  entities: Match<EntityRef>[];
  officials: Match<OfficialRef>[];
  /** "the bloc", "the group". */
  anaphora: Match<true>[];
  /** Event-type triggers; each type is read on its own, so two types may share words. */
  triggers: Match<TriggerRef>[];
  topics: Match<string>[];
  /** Negative-rule terms, each rule on its own; the value is the rule id. */
  negatives: Match<string>[];
  office: Match<true>[];
  subordinators: Match<true>[];
  pastDates: Match<true>[];
  /** Marks of a recalled earlier act ("last year", "previously", "had visited"). */
  recalled: Match<true>[];
  /** Whether the sentence names any country, body, bloc, official or bloc anaphor. */
  hasParty: boolean;
  /** Whether it has a month or weekday name (else it has no date worth parsing). */
  hasDateWord: boolean;
  /** Whether it opens with "The visit", "The talks"…: it is about the reported act. */
  refersToEvent: boolean;
};

const overlapsAny = (m: Match<unknown>, spans: Match<unknown>[]): boolean =>
  spans.some((s) => s.start < m.end && m.start < s.end);

// Most sentences name nothing: they share one frozen, empty result.
const none = Object.freeze([]) as unknown as never[];
const EMPTY: SentenceTerms = Object.freeze({
  entities: none,
  officials: none,
  anaphora: none,
  triggers: none,
  topics: none,
  negatives: none,
  office: none,
  subordinators: none,
  pastDates: none,
  recalled: none,
  hasParty: false,
  hasDateWord: false,
  refersToEvent: false,
});

/**
 * One scan of the whole article (the term index once, each raw pattern once), the matches
 * then handed to the sentences they fall in, with offsets relative to the sentence. A match
 * that runs past the end of its sentence belongs to none.
 */
export const scanArticle = (article: ArticleText, watch: Watch): SentenceTerms[] => {
  const { text, sentences } = article;
  const all = watch.terms.scan(text, tokenize(text));
  watch.patterns.scan(text, all);
  const bySentence: Match<TermTag>[][] = sentences.map(() => []);
  for (const m of all) {
    // Binary search: the last sentence starting at or before the match.
    let lo = 0;
    let hi = sentences.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (sentences[mid]!.start <= m.start) lo = mid;
      else hi = mid - 1;
    }
    const s = sentences[lo]!;
    if (m.start < s.start || m.end > s.start + s.text.length) continue;
    bySentence[lo]!.push({ start: m.start - s.start, end: m.end - s.start, text: m.text, value: m.value });
  }
  return bySentence.map((ms) => (ms.length === 0 ? EMPTY : bucket(ms, watch)));
};

/** One sentence on its own (tests and tools); the classifier scans whole articles. */
export const scanSentence = (text: string, watch: Watch): SentenceTerms => {
  const all = watch.terms.scan(text, tokenize(text));
  watch.patterns.scan(text, all);
  return all.length === 0 ? EMPTY : bucket(all, watch);
};

const bucket = (all: Match<TermTag>[], watch: Watch): SentenceTerms => {
  const entities: Match<EntityRef>[] = [];
  const officials: Match<OfficialRef>[] = [];
  const anaphora: Match<true>[] = [];
  const triggersByType = new Map<DiplomaticEventType, Match<TriggerRef>[]>();
  const topics: Match<string>[] = [];
  const negativesById = new Map<string, Match<string>[]>();
  const office: Match<true>[] = [];
  const subordinators: Match<true>[] = [];
  const pastDates: Match<true>[] = [];
  const recalled: Match<true>[] = [];
  const suppress: Match<string>[] = [];
  let hasDateWord = false;
  let refersToEvent = false;

  for (const m of all) {
    const tag: TermTag = m.value;
    const { start, end, text: t } = m;
    switch (tag.cat) {
      case 'entity':
        entities.push({ start, end, text: t, value: tag.ref });
        break;
      case 'official':
        officials.push({ start, end, text: t, value: tag.ref });
        break;
      case 'trigger': {
        let list = triggersByType.get(tag.ref.type);
        if (!list) triggersByType.set(tag.ref.type, (list = []));
        list.push({ start, end, text: t, value: tag.ref });
        break;
      }
      case 'topic':
        topics.push({ start, end, text: t, value: tag.topic });
        break;
      case 'negative': {
        let list = negativesById.get(tag.id);
        if (!list) negativesById.set(tag.id, (list = []));
        list.push({ start, end, text: t, value: tag.id });
        break;
      }
      case 'office':
        office.push({ start, end, text: t, value: true });
        break;
      case 'suppress':
        suppress.push({ start, end, text: t, value: tag.id });
        break;
      case 'subordinator':
        subordinators.push({ start, end, text: t, value: true });
        break;
      case 'anaphor':
        anaphora.push({ start, end, text: t, value: true });
        break;
      case 'pastDate':
        pastDates.push({ start, end, text: t, value: true });
        break;
      case 'recalled':
        recalled.push({ start, end, text: t, value: true });
        break;
      case 'dateWord':
        hasDateWord = true;
        break;
      case 'eventAnaphor':
        if (start === 0) refersToEvent = true;
        break;
      default: {
        const never: never = tag;
        throw new Error(`unknown term category ${JSON.stringify(never)}`);
      }
    }
  }

  // Suppressed phrases hide the country words inside them; nothing else.
  const kept = <T>(ms: Match<T>[]): Match<T>[] => {
    const longest = longestFirst(ms);
    return suppress.length === 0 ? longest : longest.filter((m) => !overlapsAny(m, suppress));
  };
  const e = kept(entities);
  const o = kept(officials);
  const a = kept(anaphora);
  return {
    entities: e,
    officials: o,
    anaphora: a,
    // Type by type in the watch's order, as the evidence lists them.
    triggers:
      triggersByType.size === 0
        ? []
        : [...watch.typeRules.keys()].flatMap((t) => longestFirst(triggersByType.get(t) ?? [])),
    topics: longestFirst(topics),
    negatives:
      negativesById.size === 0
        ? []
        : [...negativesById.values()].flatMap((l) => longestFirst(l)).sort((x, y) => x.start - y.start),
    office: longestFirst(office),
    subordinators: longestFirst(subordinators),
    pastDates: longestFirst(pastDates),
    recalled: longestFirst(recalled),
    hasParty: e.length + o.length + a.length > 0,
    hasDateWord,
    refersToEvent,
  };
};
