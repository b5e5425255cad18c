import { type DiplomaticEventType } from '@diplowatch/contracts';
import type { Entity, EventTypeRule, NegativeRule, Official, WatchData } from './watch.schema';

// Every gazetteer becomes one regular expression (one alternation, one capture group per term),
// compiled once per watch: a scan of a 3 KB article costs a handful of regex passes.

export type Match<T> = { start: number; end: number; text: string; value: T };

const WORD = '[\\p{L}\\p{N}_]';
// Word characters for the non-Unicode passes: ASCII letters and digits, and every letter beyond ASCII.
const ASCII_WORD = '[A-Za-z0-9_\\u00C0-\\u024F\\u1E00-\\u1EFF]';

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

export type GazetteerEntry<T> = { value: T; terms?: string[]; caseSensitive?: string[]; patterns?: string[] };

// Lookup key of a literal term or of the text it matched: case, whitespace, quotes and dashes
// vary in news text but not in meaning.
const keyOf = (s: string, caseSensitive: boolean): string => {
  const k = s.trim().replace(/\s+/g, ' ').replace(/’/g, "'").replace(/[‐‑–]/g, '-');
  return caseSensitive ? k : k.toLowerCase();
};

type Pass<T> = {
  re: RegExp;
  literal: Map<string, T>;
  /** Wildcard terms and raw patterns: checked one by one, but only against matched text. */
  complex: { re: RegExp; value: T }[];
  caseSensitive: boolean;
};

/**
 * Many terms, one pass: a single alternation without capture groups (groups make every match
 * allocate an array as long as the gazetteer); the matched text is looked up in a map. The
 * longest term at a position wins and matches never overlap.
 */
export class Gazetteer<T> {
  private readonly passes: Pass<T>[] = [];

  constructor(entries: readonly GazetteerEntry<T>[]) {
    // Literal terms run without Unicode mode (V8 runs large alternations much faster without it);
    // raw patterns may use \p{…} and get a pass of their own.
    const build = (kind: 'insensitive' | 'sensitive' | 'patterns'): void => {
      const alts: { src: string; len: number }[] = [];
      const literal = new Map<string, T>();
      const complex: Pass<T>['complex'] = [];
      const caseSensitive = kind === 'sensitive';
      const flags = kind === 'patterns' ? 'iu' : caseSensitive ? '' : 'i';
      for (const e of entries) {
        if (kind === 'patterns') {
          for (const p of e.patterns ?? []) {
            alts.push({ src: p, len: 0 });
            complex.push({ re: new RegExp(`^(?:${p})$`, flags), value: e.value });
          }
          continue;
        }
        for (const t of (caseSensitive ? e.caseSensitive : e.terms) ?? []) {
          const src = termSource(t);
          alts.push({ src, len: t.length });
          if (t.endsWith('*')) complex.push({ re: new RegExp(`^(?:${src})$`, flags), value: e.value });
          else if (!literal.has(keyOf(t, caseSensitive))) literal.set(keyOf(t, caseSensitive), e.value);
        }
      }
      if (alts.length === 0) return;
      alts.sort((x, y) => y.len - x.len);
      const word = kind === 'patterns' ? WORD : ASCII_WORD;
      const re = new RegExp(`(?<!${word})(?:${alts.map((x) => x.src).join('|')})(?!${word})`, `g${flags}`);
      this.passes.push({ re, literal, complex, caseSensitive });
    };
    build('insensitive');
    build('sensitive');
    build('patterns');
  }

  get isEmpty(): boolean {
    return this.passes.length === 0;
  }

  matchAll(text: string): Match<T>[] {
    const out: Match<T>[] = [];
    for (const pass of this.passes) {
      // exec() with lastIndex, not String#matchAll: matchAll clones the RegExp on every call,
      // and a clone of a large alternation is compiled again.
      const re = pass.re;
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        if (m[0].length === 0) {
          re.lastIndex++;
          continue;
        }
        let value = pass.literal.get(keyOf(m[0], pass.caseSensitive));
        if (value === undefined) value = pass.complex.find((c) => c.re.test(m[0]))?.value;
        if (value === undefined) continue;
        out.push({ start: m.index, end: m.index + m[0].length, text: m[0], value });
      }
    }
    if (this.passes.length < 2) return out;
    out.sort((a, b) => a.start - b.start || b.end - a.end);
    const kept: Match<T>[] = [];
    let lastEnd = -1;
    for (const m of out) {
      if (m.start >= lastEnd) {
        kept.push(m);
        lastEnd = m.end;
      }
    }
    return kept;
  }
}

export type Side = 'anchor' | 'region' | 'bloc' | 'other';
export type MentionVia = 'name' | 'demonym' | 'capital' | 'stateBody' | 'place' | 'pattern';

export type EntityRef = { entity: Entity; side: Side; via: MentionVia };
export type OfficialRef = { official: Official; side: Side; short: boolean };
export type TriggerRef = {
  type: DiplomaticEventType;
  triggerId: string;
  requiresOffice: boolean;
  titleOnly: boolean;
  strong: boolean;
};

export type Watch = {
  id: string;
  version: string;
  dir: string;
  data: WatchData;
  sideOf: (code: string) => Side;
  typeRules: ReadonlyMap<DiplomaticEventType, EventTypeRule>;
  entities: Gazetteer<EntityRef>;
  officials: Gazetteer<OfficialRef>;
  officeTerms: Gazetteer<true>;
  suppress: Gazetteer<string>;
  triggers: ReadonlyMap<DiplomaticEventType, Gazetteer<TriggerRef>>;
  topics: Gazetteer<string>;
  negatives: readonly { rule: NegativeRule; matcher: Gazetteer<string> }[];
  attributive: RegExp | null;
  subordinators: Gazetteer<true>;
  blocAnaphora: Gazetteer<true>;
  captions: readonly RegExp[];
  boilerplate: readonly RegExp[];
  pastDateMarkers: Gazetteer<true>;
};

export const compileWatch = (data: WatchData, dir: string): Watch => {
  const { manifest, countries, officials, rules } = data;
  const anchor = new Set(manifest.anchor);
  const region = new Set(manifest.region);
  const sideOf = (code: string): Side => {
    if (anchor.has(code)) return 'anchor';
    if (region.has(code)) return 'region';
    const e = countries.entities.find((x) => x.code === code);
    return e?.kind === 'bloc' ? 'bloc' : 'other';
  };

  const entityEntries: GazetteerEntry<EntityRef>[] = [];
  for (const entity of countries.entities) {
    const side = sideOf(entity.code);
    const add = (
      via: MentionVia,
      terms: string[],
      caseSensitive: string[] = [],
      patterns: string[] = [],
    ): void => {
      entityEntries.push({ value: { entity, side, via }, terms, caseSensitive, patterns });
    };
    add('name', entity.names, entity.caseSensitive);
    add('demonym', entity.demonyms);
    add('capital', entity.capitals);
    add('stateBody', entity.stateBodies);
    add('place', entity.places);
    add('pattern', [], [], entity.patterns);
  }

  const officialEntries: GazetteerEntry<OfficialRef>[] = [];
  for (const official of officials.officials) {
    const side = sideOf(official.country);
    officialEntries.push({
      value: { official, side, short: false },
      terms: [official.name, ...official.aliases],
      patterns: official.patterns,
    });
    officialEntries.push({ value: { official, side, short: true }, terms: official.shortAliases });
  }

  const triggers = new Map<DiplomaticEventType, Gazetteer<TriggerRef>>();
  for (const rule of rules.eventTypes) {
    triggers.set(
      rule.type,
      new Gazetteer(
        rule.triggers.map((t) => ({
          value: {
            type: rule.type,
            triggerId: t.id,
            requiresOffice: t.requiresOffice,
            titleOnly: t.titleOnly,
            strong: t.strong,
          },
          terms: t.terms,
          caseSensitive: t.caseSensitive,
          patterns: t.patterns,
        })),
      ),
    );
  }

  const suffixes = rules.attributiveSuffixes.map(termSource);
  return {
    id: manifest.id,
    version: manifest.version,
    dir,
    data,
    sideOf,
    typeRules: new Map(rules.eventTypes.map((r) => [r.type, r])),
    entities: new Gazetteer(entityEntries),
    officials: new Gazetteer(officialEntries),
    officeTerms: new Gazetteer([{ value: true as const, ...rules.officeTerms }]),
    suppress: new Gazetteer(
      countries.suppress.map((s) => ({ value: s.id, terms: s.terms, patterns: s.patterns })),
    ),
    triggers,
    topics: new Gazetteer(
      rules.topics.map((t) => ({ value: t.topic, terms: t.terms, patterns: t.patterns })),
    ),
    negatives: rules.negatives.map((rule) => ({
      rule,
      matcher: new Gazetteer([
        { value: rule.id, terms: rule.terms, caseSensitive: rule.caseSensitive, patterns: rule.patterns },
      ]),
    })),
    attributive: suffixes.length ? new RegExp(`^[-‐‑](?:${suffixes.join('|')})(?!${WORD})`, 'iu') : null,
    subordinators: new Gazetteer([{ value: true as const, terms: rules.subordinators }]),
    blocAnaphora: new Gazetteer([{ value: true as const, terms: rules.blocAnaphora }]),
    captions: rules.captionPatterns.map((p) => new RegExp(p, 'iu')),
    boilerplate: rules.boilerplatePatterns.map((p) => new RegExp(p, 'iu')),
    pastDateMarkers: new Gazetteer([{ value: true as const, terms: rules.pastDateMarkers }]),
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
  out.push(...rules.subordinators, ...rules.blocAnaphora, ...rules.pastDateMarkers);
  return out;
};
