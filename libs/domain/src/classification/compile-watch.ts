import { type DiplomaticEventType } from '@diplowatch/contracts';
import { PatternSet, TermIndex } from './term-index';
import type { Entity, EventTypeRule, NegativeRule, Official, WatchData } from './watch.schema';

// A watch compiled once: every term of every gazetteer and rule in one TermIndex (one scan per
// sentence finds them all), the raw patterns in one PatternSet beside it.

const WORD = '[\\p{L}\\p{N}_]';

const termSource = (t: string): string => {
  const wildcard = t.endsWith('*');
  const body = (wildcard ? t.slice(0, -1) : t)
    .trim()
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\s+/g, '\\s+')
    .replace(/['’]/g, "['’]")
    .replace(/-/g, '[-‐‑–]');
  return wildcard ? `${body}${WORD}*` : body;
};

// prettier-ignore
const DATE_WORDS = [
  'Jan*', 'Feb*', 'Mar*', 'Apr*', 'May', 'Jun*', 'Jul*', 'Aug*', 'Sep*', 'Oct*', 'Nov*', 'Dec*',
  'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday',
];

// Dates without a month or weekday name ("in 2023", "last year").
const DATE_PATTERNS = ['(?:19|20)\\d{2}', '(?:last|this)\\s+(?:year|month|week)'];

const alternation = (sources: readonly string[], flags: string): RegExp | null =>
  sources.length ? new RegExp(sources.map((p) => `(?:${p})`).join('|'), flags) : null;

export type Side = 'anchor' | 'region' | 'bloc' | 'other';
export type MentionVia = 'name' | 'demonym' | 'capital' | 'stateBody' | 'place' | 'pattern';

export type EntityRef = { entity: Entity; side: Side; via: MentionVia };
export type OfficialRef = { official: Official; side: Side; short: boolean };
export type TriggerRef = {
  type: DiplomaticEventType;
  triggerId: string;
  requiresOffice: boolean;
  requiresStateActor: boolean;
  requiresWith: readonly string[];
  notWith: readonly DiplomaticEventType[];
  titleOnly: boolean;
  strong: boolean;
};

/** What a term in the index stands for. One term may stand for several things. */
export type TermTag =
  | { cat: 'entity'; ref: EntityRef }
  | { cat: 'official'; ref: OfficialRef }
  | { cat: 'trigger'; ref: TriggerRef }
  | { cat: 'topic'; topic: string }
  | { cat: 'negative'; id: string }
  | { cat: 'office' }
  | { cat: 'suppress'; id: string }
  | { cat: 'subordinator' }
  | { cat: 'anaphor' }
  | { cat: 'eventAnaphor' }
  | { cat: 'pastDate' }
  /** Marks a sentence as recalling an earlier act ("last year", "had visited"). */
  | { cat: 'recalled' }
  /** Month and weekday names: a sentence without one has no date to resolve. */
  | { cat: 'dateWord' };

export type Watch = {
  id: string;
  version: string;
  dir: string;
  data: WatchData;
  sideOf: (code: string) => Side;
  typeRules: ReadonlyMap<DiplomaticEventType, EventTypeRule>;
  negativeRules: ReadonlyMap<string, NegativeRule>;
  /** Every term of every category: one scan of a sentence finds them all. */
  terms: TermIndex<TermTag>;
  /** The raw patterns of every category. */
  patterns: PatternSet<TermTag>;
  attributive: RegExp | null;
  /** Every caption pattern in one alternation (a line is a caption if any matches). */
  captions: RegExp | null;
  /** Every boilerplate pattern in one alternation, removed wherever it matches. */
  boilerplate: RegExp | null;
};

export const compileWatch = (data: WatchData, dir: string): Watch => {
  const { manifest, countries, officials, rules } = data;
  const anchor = new Set(manifest.anchor);
  const region = new Set(manifest.region);
  const kinds = new Map(countries.entities.map((e) => [e.code, e.kind]));
  const sideOf = (code: string): Side => {
    if (anchor.has(code)) return 'anchor';
    if (region.has(code)) return 'region';
    return kinds.get(code) === 'bloc' ? 'bloc' : 'other';
  };

  const terms = new TermIndex<TermTag>();
  const patterns = new PatternSet<TermTag>();
  const add = (
    tag: TermTag,
    list: readonly string[] = [],
    caseSensitive: readonly string[] = [],
    pats: readonly string[] = [],
  ): void => {
    for (const t of list) terms.add(t, tag);
    for (const t of caseSensitive) terms.add(t, tag, true);
    for (const p of pats) patterns.add(p, tag);
  };

  for (const entity of countries.entities) {
    const side = sideOf(entity.code);
    const ref = (via: MentionVia): TermTag => ({ cat: 'entity', ref: { entity, side, via } });
    add(ref('name'), entity.names, entity.caseSensitive);
    add(ref('demonym'), entity.demonyms);
    add(ref('capital'), entity.capitals);
    add(ref('stateBody'), entity.stateBodies);
    add(ref('place'), entity.places);
    add(ref('pattern'), [], [], entity.patterns);
  }
  for (const s of countries.suppress) add({ cat: 'suppress', id: s.id }, s.terms, [], s.patterns);
  for (const official of officials.officials) {
    const side = sideOf(official.country);
    add(
      { cat: 'official', ref: { official, side, short: false } },
      [official.name, ...official.aliases],
      [],
      official.patterns,
    );
    add({ cat: 'official', ref: { official, side, short: true } }, official.shortAliases);
  }
  for (const rule of rules.eventTypes) {
    for (const t of rule.triggers) {
      const ref: TriggerRef = {
        type: rule.type,
        triggerId: t.id,
        requiresOffice: t.requiresOffice,
        requiresStateActor: t.requiresStateActor,
        requiresWith: t.requiresWith,
        notWith: t.notWith,
        titleOnly: t.titleOnly,
        strong: t.strong,
      };
      add({ cat: 'trigger', ref }, t.terms, t.caseSensitive, t.patterns);
    }
  }
  for (const t of rules.topics) add({ cat: 'topic', topic: t.topic }, t.terms, [], t.patterns);
  for (const n of rules.negatives) add({ cat: 'negative', id: n.id }, n.terms, n.caseSensitive, n.patterns);
  add({ cat: 'office' }, rules.officeTerms.terms, rules.officeTerms.caseSensitive);
  add({ cat: 'subordinator' }, rules.subordinators);
  add({ cat: 'anaphor' }, rules.blocAnaphora);
  add({ cat: 'eventAnaphor' }, rules.eventAnaphora);
  add({ cat: 'pastDate' }, rules.pastDateMarkers);
  add({ cat: 'recalled' }, rules.recalledActs.terms, [], rules.recalledActs.patterns);
  add({ cat: 'dateWord' }, DATE_WORDS, [], DATE_PATTERNS);

  const suffixes = rules.attributiveSuffixes.map(termSource);
  return {
    id: manifest.id,
    version: manifest.version,
    dir,
    data,
    sideOf,
    typeRules: new Map(rules.eventTypes.map((r) => [r.type, r])),
    negativeRules: new Map(rules.negatives.map((r) => [r.id, r])),
    terms,
    patterns,
    attributive: suffixes.length ? new RegExp(`^[-‐‑](?:${suffixes.join('|')})(?!${WORD})`, 'iu') : null,
    captions: alternation(rules.captionPatterns, 'iu'),
    boilerplate: alternation(rules.boilerplatePatterns, 'giu'),
  };
};

/** Every literal term of a watch's gazetteers and rules (the benchmark's baseline scans for them all). */
export const watchTerms = (watch: Watch): string[] => {
  const { countries, officials, rules } = watch.data;
  const out: string[] = [];
  for (const e of countries.entities)
    out.push(...e.names, ...e.demonyms, ...e.capitals, ...e.stateBodies, ...e.places, ...e.caseSensitive);
  for (const s of countries.suppress) out.push(...s.terms);
  for (const o of officials.officials) out.push(o.name, ...o.aliases, ...o.shortAliases);
  for (const r of rules.eventTypes) for (const t of r.triggers) out.push(...t.terms, ...t.caseSensitive);
  for (const t of rules.topics) out.push(...t.terms);
  for (const n of rules.negatives) out.push(...n.terms, ...n.caseSensitive);
  out.push(...rules.officeTerms.terms, ...rules.officeTerms.caseSensitive);
  out.push(...rules.subordinators, ...rules.blocAnaphora, ...rules.eventAnaphora, ...rules.pastDateMarkers);
  out.push(...rules.recalledActs.terms);
  return out;
};
