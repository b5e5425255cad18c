import { createHash } from 'node:crypto';
import {
  diplomaticEventTypes,
  type Actor,
  type DetectedDiplomaticEvent,
  type DiplomaticEventType,
  type Evidence,
  type RelatedContext,
} from '@diplowatch/contracts';
import type { MentionVia, Side, TriggerRef, Watch } from './compile-watch';
import { scanArticle, type SentenceTerms } from './sentence-terms';
import { calibrate } from './calibration';
import { isoWeek, publicationDay, resolveDates, type ResolvedDate } from './dates';
import { toSentences, type Sentence } from './text';
import type { Official } from './watch.schema';

export type ArticleInput = { id: string; title: string; text: string; publishedAt: string | null };

export type ArticleClassification = {
  articleId: string;
  watch: string;
  rulesVersion: string;
  relevant: boolean;
  /** Probability that the article is relevant: its evidence score, calibrated by the watch. */
  relevance: number;
  /**
   * The rules' evidence scores before calibration: the article's (the verdict is this score
   * against the watch's threshold) and each diplomatic event's, in order. What calibration is
   * fitted on.
   */
  scores: { relevance: number; events: number[] };
  /** The types the article is about: its events, their secondary types and the context its opening recalls. */
  eventTypes: DiplomaticEventType[];
  /** Parties of the reported acts (ISO alpha-3 or ASEAN), sorted. */
  countries: string[];
  /** Full names of the officials central to the reported acts. */
  actors: string[];
  diplomaticEvents: DetectedDiplomaticEvent[];
  context: RelatedContext[];
  evidence: Evidence[];
  /** Why the article was judged not relevant; empty when relevant (as in ArticleClassified). */
  reasons: string[];
  /** How the verdict was reached, relevant or not: the reasons plus the acts found. */
  explanation: string[];
  /** CAMEO codes of `eventTypes`, from the watch. */
  cameo: string[];
};

// ---------------------------------------------------------------------------------------------
// Sentence analysis

type Party = {
  code: string;
  side: Side;
  via: MentionVia | 'official' | 'anaphor';
  start: number;
  end: number;
  text: string;
  official?: Official;
  office?: string | null;
};

type FiredTrigger = {
  type: DiplomaticEventType;
  id: string;
  text: string;
  strong: boolean;
  start: number;
  /** Inferred from other triggers (a visit from talks in a capital): never the act's main type. */
  implied?: boolean;
};

// Offices held where the official lives: meeting them in their host country is no visit.
const RESIDENT_OFFICE = /\b(?:ambassador|envoy|representative|charg[ée])/i;

type Analysis = {
  sentence: Sentence;
  terms: SentenceTerms;
  /** The text read for parties and triggers (the main clause for a title). */
  text: string;
  parties: Party[];
  triggers: FiredTrigger[];
  topics: Set<string>;
  dates: ResolvedDate[];
  hasOffice: boolean;
};

type Relation = {
  kind: 'bilateral' | 'bloc';
  analysis: Analysis;
  /** Region codes (and the anchor where it is a party), sorted. */
  countries: string[];
  regionCodes: string[];
  types: DiplomaticEventType[];
  triggers: FiredTrigger[];
  strong: boolean;
  /** The region side is only where the act happens ("… in Vientiane"), not a party to it. */
  venueOnly: boolean;
};

const officeAt = (o: Official, day: string | null): string | null => {
  if (day === null) return o.offices[o.offices.length - 1]?.office ?? null;
  // The latest office that covers the day; a missing bound means "open".
  let found: string | null = null;
  for (const off of o.offices) {
    if ((off.from === null || off.from <= day) && (off.to === null || day < off.to)) found = off.office;
  }
  return found;
};

type ArticleScan = {
  mentionedCodes: Set<string>;
  blocOrder: { code: string; sentence: number; start: number }[];
};

const NO_DATES: ResolvedDate[] = [];

const analyse = (
  sentence: Sentence,
  terms: SentenceTerms,
  watch: Watch,
  day: string | null,
  scan: ArticleScan,
  publishedAt: string | null,
): Analysis => {
  const full = sentence.text;
  const parties: Party[] = [];

  for (const m of terms.entities) {
    const { entity, side, via } = m.value;
    if (via === 'demonym' && watch.attributive?.test(full.slice(m.end))) continue;
    parties.push({ code: entity.code, side, via, start: m.start, end: m.end, text: m.text });
  }
  for (const m of terms.officials) {
    const { official, side, short } = m.value;
    if (short && !scan.mentionedCodes.has(official.country)) continue;
    if (parties.some((p) => p.start < m.end && m.start < p.end)) continue;
    const office = officeAt(official, day);
    // A former official is a private person for this purpose (Thaksin in 2024).
    if (office === null) continue;
    parties.push({
      code: official.country,
      side,
      via: 'official',
      start: m.start,
      end: m.end,
      text: m.text,
      official,
      office,
    });
  }
  for (const m of terms.anaphora) {
    const before = scan.blocOrder.filter(
      (b) => b.sentence < sentence.index || (b.sentence === sentence.index && b.start < m.start),
    );
    const ref = before[before.length - 1] ?? scan.blocOrder[0];
    if (ref)
      parties.push({
        code: ref.code,
        side: 'bloc',
        via: 'anaphor',
        start: m.start,
        end: m.end,
        text: m.text,
      });
  }
  parties.sort((a, b) => a.start - b.start);

  // In a headline, "… after a visit to North Korea" is background: read the main clause only.
  // In the lead, "…, the ministry said after talks with X" is often the act itself, so a
  // subordinate clause is dropped only when the main clause is about a third state ("Indonesia
  // signed for French jets, after plans to buy Russian ones were shelved").
  let cut = full.length;
  if (sentence.zone === 'title' || sentence.zone === 'lead') {
    for (const m of terms.subordinators) {
      if (m.start === 0) continue;
      const main = parties.filter((p) => p.start < m.start && p.side !== 'bloc');
      if (main.length === 0) continue;
      if (
        sentence.zone === 'title' ||
        (main.some((p) => p.side === 'other') && !main.some((p) => p.side === 'anchor'))
      ) {
        cut = m.start;
        break;
      }
    }
  }
  const text = cut === full.length ? full : full.slice(0, cut);
  const inClause = cut === full.length ? parties : parties.filter((p) => p.start < cut);
  const hasOffice = terms.office.some((m) => m.end <= cut) || inClause.some((p) => p.via === 'official');

  const stateActor =
    hasOffice || inClause.some((p) => p.side === 'anchor' && p.via !== 'demonym' && p.via !== 'place');
  const triggers: FiredTrigger[] = [];
  const topics = new Set<string>();
  // Triggers, topics and dates only matter where someone acts: a sentence without a party
  // yields no relation, so its acts are never read (unless it is about the reported act).
  const read = inClause.length > 0 || terms.refersToEvent;
  if (read) {
    for (const m of terms.topics) if (m.end <= cut) topics.add(m.value);
    const candidates: { m: (typeof terms.triggers)[number]; keep: boolean }[] = [];
    for (const m of terms.triggers) {
      if (m.end > cut) continue;
      const t = m.value;
      if (t.titleOnly && sentence.zone !== 'title') continue;
      if (t.requiresOffice && !hasOffice) continue;
      if (t.requiresStateActor && !stateActor) continue;
      // A trigger inside a party name ("Security Council Secretary") is not a trigger.
      if (inClause.some((p) => p.start <= m.start && m.end <= p.end)) continue;
      candidates.push({ m, keep: t.requiresWith.length === 0 && t.notWith.length === 0 });
    }
    // Conditional triggers, in two rounds: those that need company ("helicopters" beside
    // "bought"), then those that step back when an act is reported ("…, the ministry said").
    const present = new Set<string>(topics);
    const note = (): void => candidates.forEach((c) => c.keep && present.add(c.m.value.type));
    note();
    const needs = (t: TriggerRef): boolean =>
      t.requiresWith.length === 0 || t.requiresWith.some((x) => present.has(x));
    for (const c of candidates) if (!c.keep && c.m.value.notWith.length === 0) c.keep = needs(c.m.value);
    note();
    for (const c of candidates) {
      const t = c.m.value;
      if (!c.keep && t.notWith.length > 0) c.keep = needs(t) && !t.notWith.some((x) => present.has(x));
    }
    for (const { m, keep } of candidates) {
      if (keep)
        triggers.push({
          type: m.value.type,
          id: m.value.triggerId,
          text: m.text,
          strong: m.value.strong,
          start: m.start,
        });
    }
  }
  return {
    sentence,
    terms,
    text,
    parties: inClause,
    triggers,
    topics,
    dates: read && terms.hasDateWord ? resolveDates(text, publishedAt) : NO_DATES,
    hasOffice,
  };
};

// ---------------------------------------------------------------------------------------------
// Relations: who is paired with whom in one sentence

/** The types a relation's own triggers name, without those inferred from them. */
const explicitTypes = (r: Relation): DiplomaticEventType[] =>
  r.triggers.filter((t) => !t.implied).map((t) => t.type);

const typeOrder = new Map(diplomaticEventTypes.map((t, i) => [t, i]));
const sortTypes = (types: Iterable<DiplomaticEventType>): DiplomaticEventType[] =>
  [...new Set(types)].sort((a, b) => (typeOrder.get(a) ?? 0) - (typeOrder.get(b) ?? 0));
const uniqSorted = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();

const relationsOf = (a: Analysis, watch: Watch): Relation[] => {
  const anchorLed = new Set(watch.data.manifest.anchorLedBlocs);
  const anchorCode = watch.data.manifest.anchor[0]!;
  const isAnchor = (p: Party): boolean => p.side === 'anchor' || (p.side === 'bloc' && anchorLed.has(p.code));
  const anchors = a.parties.filter(isAnchor);
  const blocs = a.parties.filter((p) => p.side === 'bloc');
  // "ASEAN ministers meet Lavrov in Vientiane": a capital or place after "in"/"at" is where the act
  // happens; it is a party only when no other region party acts.
  const allRegion = a.parties.filter((p) => p.side === 'region');
  const isVenue = (p: Party): boolean =>
    (p.via === 'capital' || p.via === 'place') &&
    /\b(?:in|at)\s+(?:the\s+)?$/i.test(a.text.slice(Math.max(0, p.start - 12), p.start));
  const actingRegion = allRegion.filter((p) => !isVenue(p));
  const venueOnly = actingRegion.length === 0;
  const region = venueOnly ? allRegion : actingRegion;
  if (region.length === 0) return [];

  // Each region party belongs to the relation of the next partner named after it
  // ("Indonesia's interest in joining BRICS and Malaysia's engagement with Russia").
  const partners = [...anchors.filter((p) => p.side !== 'bloc'), ...blocs].sort((x, y) => x.start - y.start);
  const strongBlocTrigger = a.triggers.some((t) => t.type === 'bloc_membership' && t.strong);
  const blocRegion: Party[] = [];
  const bilateralRegion: Party[] = [];
  for (const r of region) {
    if (blocs.length === 0) {
      bilateralRegion.push(r);
      continue;
    }
    const next = partners.find((p) => p.start > r.start) ?? partners[partners.length - 1];
    // Cooperation with an anchor-led bloc (ASEAN–EAEU) is a relation with the anchor; only a
    // membership move makes it a bloc move.
    const asBloc =
      next !== undefined && next.side === 'bloc' && (!anchorLed.has(next.code) || strongBlocTrigger);
    if (asBloc) blocRegion.push(r);
    else bilateralRegion.push(r);
  }

  const relationTypes = (kind: 'bilateral' | 'bloc'): FiredTrigger[] =>
    a.triggers.filter((t) => {
      const rel = watch.typeRules.get(t.type)?.relation;
      return rel === 'any' || rel === kind;
    });

  const out: Relation[] = [];
  if (blocRegion.length > 0) {
    const fired = relationTypes('bloc');
    if (fired.some((t) => t.type === 'bloc_membership')) {
      const regionCodes = uniqSorted(blocRegion.map((p) => p.code));
      // The anchor joins a bloc move only when no bilateral relation claims it ("summit in Russia").
      const withAnchor = bilateralRegion.length === 0 && anchors.some((p) => p.side === 'anchor');
      out.push({
        kind: 'bloc',
        analysis: a,
        regionCodes,
        countries: uniqSorted([...regionCodes, ...(withAnchor ? [anchorCode] : [])]),
        types: sortTypes(fired.map((t) => t.type)),
        triggers: fired,
        strong: fired.some((t) => t.strong),
        venueOnly,
      });
    }
  }
  if (bilateralRegion.length > 0 && anchors.length > 0) {
    const fired = relationTypes('bilateral').filter((t) => t.type !== 'bloc_membership');
    // Talks held in one side's capital with a named official of the other side there report a
    // visit too. A resident ambassador makes no trip, and a delegation or a company may be
    // local: only officials with another office count.
    for (const [type, rule] of watch.typeRules) {
      if (rule.impliedAtVenueBy.length === 0 || fired.some((t) => t.type === type)) continue;
      if (!fired.some((t) => rule.impliedAtVenueBy.includes(t.type))) continue;
      const venue = a.parties.find(
        (p) =>
          (p.side === 'anchor' || p.side === 'region') &&
          isVenue(p) &&
          a.parties.some(
            (q) =>
              q.via === 'official' &&
              (q.side === 'anchor' || q.side === 'region') &&
              q.side !== p.side &&
              !RESIDENT_OFFICE.test(q.office ?? ''),
          ),
      );
      if (venue)
        fired.push({
          type,
          id: `${type}.venue`,
          text: venue.text,
          strong: false,
          start: venue.start,
          implied: true,
        });
    }
    const regionCodes = uniqSorted(bilateralRegion.map((p) => p.code));
    const anchorCodes = anchors.map((p) => (p.side === 'anchor' ? p.code : anchorCode));
    out.push({
      kind: 'bilateral',
      analysis: a,
      regionCodes,
      countries: uniqSorted([...regionCodes, ...anchorCodes]),
      types: sortTypes(fired.map((t) => t.type)),
      triggers: fired,
      strong: fired.length > 0,
      venueOnly,
    });
  }
  return out;
};

// ---------------------------------------------------------------------------------------------
// Classification

const round = (x: number): number => Math.round(x * 1000) / 1000;

const evidenceOf = (a: Analysis, triggers: FiredTrigger[], extra: string[] = []): Evidence => {
  const rules: string[] = [];
  for (const p of a.parties) {
    if (p.via === 'official') rules.push(`official:${p.official!.name}(${p.code})`);
    else rules.push(`${p.side === 'bloc' ? 'bloc' : 'party'}:${p.code}:${p.text}`);
  }
  for (const t of triggers) rules.push(`trigger:${t.type}/${t.id}:${t.text}`);
  for (const d of a.dates) rules.push(`date:${d.start}..${d.end}`);
  rules.push(...extra);
  return { sentence: a.sentence.text, rules: [...new Set(rules)] };
};

const hashId = (parts: string[]): string =>
  `de-${createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 32)}`;

type Group = { relations: Relation[]; regionCodes: Set<string> };

const groupRelations = (relations: Relation[]): Group[] => {
  const groups: Group[] = [];
  for (const r of relations) {
    const hits = groups.filter((g) => r.regionCodes.some((c) => g.regionCodes.has(c)));
    const merged: Group = { relations: [r], regionCodes: new Set(r.regionCodes) };
    for (const g of hits) {
      merged.relations.unshift(...g.relations);
      g.regionCodes.forEach((c) => merged.regionCodes.add(c));
      groups.splice(groups.indexOf(g), 1);
    }
    groups.push(merged);
  }
  return groups;
};

/** The day the headline gives for its act ("from February 24-28"), if it gives one. */
const actDayOf = (headline: Analysis[]): string | null => {
  for (const a of headline)
    for (const d of a.dates) {
      if (d.precision !== 'day') continue;
      if (a.terms.pastDates.some((m) => m.end <= d.index && m.start >= d.index - 25)) continue;
      return d.start;
    }
  return null;
};

/**
 * The kind of an earlier act that a sentence recalls without naming it: an official of one side
 * in or to a place of the other made a trip there (a resident ambassador makes none); officials
 * of both sides together met. Otherwise none.
 */
const recalledActType = (r: Relation, watch: Watch): DiplomaticEventType | null => {
  const a = r.analysis;
  const officials = a.parties.filter(
    (p) => p.via === 'official' && (p.side === 'anchor' || p.side === 'region'),
  );
  const trip = a.parties.some(
    (p) =>
      (p.side === 'anchor' || p.side === 'region') &&
      p.via !== 'official' &&
      p.via !== 'demonym' &&
      /\b(?:in|to)\s+(?:the\s+)?$/i.test(a.text.slice(Math.max(0, p.start - 12), p.start)) &&
      officials.some((q) => q.side !== p.side && !RESIDENT_OFFICE.test(q.office ?? '')),
  );
  const visit = [...watch.typeRules.values()].find((rule) => rule.impliedAtVenueBy.length > 0)?.type;
  if (trip && visit) return visit;
  const bothSides = officials.some((q) => q.side === 'anchor') && officials.some((q) => q.side === 'region');
  return bothSides && watch.typeRules.has('meeting_talks') ? 'meeting_talks' : null;
};

export const classifyArticle = (article: ArticleInput, watch: Watch): ArticleClassification => {
  const { manifest } = watch.data;
  const day = publicationDay(article.publishedAt);
  const articleText = toSentences(article.title, article.text, watch);
  const allTerms = scanArticle(articleText, watch);
  const readable = articleText.sentences.filter((s) => s.skipped === null);

  // The whole article was scanned once; first, which countries and blocs it names at all (for
  // short aliases and "the bloc"), then each sentence is read.
  const termsOf = readable.map((s) => allTerms[s.index]!);
  const scan: ArticleScan = { mentionedCodes: new Set(), blocOrder: [] };
  readable.forEach((s, i) => {
    for (const m of termsOf[i]!.entities) {
      scan.mentionedCodes.add(m.value.entity.code);
      if (m.value.entity.kind === 'bloc')
        scan.blocOrder.push({ code: m.value.entity.code, sentence: s.index, start: m.start });
    }
  });

  const analyses = readable.map((s, i) => analyse(s, termsOf[i]!, watch, day, scan, article.publishedAt));
  const title = analyses[0]!;
  const lead = analyses.find((a) => a.sentence.zone === 'lead');
  const headline = lead ? [title, lead] : [title];
  const leadZone = analyses.filter(
    (a) =>
      a.sentence.zone === 'body' &&
      a.sentence.bodyIndex >= 1 &&
      a.sentence.bodyIndex <= manifest.leadZoneSentences,
  );
  const relationsBy = new Map(analyses.map((a) => [a, relationsOf(a, watch)]));
  const headlineRelations = headline.flatMap((a) => relationsBy.get(a)!);
  const reasons: string[] = [];
  const negativeEvidence: Evidence[] = [];

  // Negative rules: read on the whole headline (title and lead), not just the main clause.
  const vetoes: string[] = [];
  for (const rule of watch.negativeRules.values()) {
    const scope = rule.scope === 'headline' ? headline : analyses;
    const hit = scope.find((a) => a.terms.negatives.some((m) => m.value === rule.id));
    if (!hit) continue;
    // Real bilateral talks on the sidelines lift the rule; the multilateral meeting held in a
    // region capital does not.
    const exempt = headlineRelations.some(
      (r) => r.kind === 'bilateral' && !r.venueOnly && r.types.some((t) => rule.unlessTypes.includes(t)),
    );
    if (exempt) continue;
    vetoes.push(rule.id);
    reasons.push(`negative rule ${rule.id}: ${rule.description}`);
    negativeEvidence.push({ sentence: hit.sentence.text, rules: [`negative:${rule.id}`] });
  }

  // Third-party focus: the headline's main clause is about another state (the US sanctions
  // Myanmar; Rubio meets Lavrov in Kuala Lumpur; Putin on North Korea).
  const statesOf = (a: Analysis): Party[] => a.parties.filter((p) => p.side !== 'bloc');
  const focus = statesOf(title).length > 0 ? title : (lead ?? title);
  const focusParties = statesOf(focus);
  const others = focusParties.filter((p) => p.side === 'other');
  const thirdPartyFocus =
    others.length > 0 &&
    (focusParties[0]!.side === 'other' ||
      !focusParties.some((p) => p.side === 'anchor') ||
      !focusParties.some((p) => p.side === 'region'));
  if (thirdPartyFocus) {
    reasons.push(
      `third-party focus: the headline is about ${uniqSorted(others.map((p) => p.code)).join(', ')}`,
    );
    negativeEvidence.push({
      sentence: focus.sentence.text,
      rules: others.map((p) => `party:${p.code}:${p.text}`),
    });
  }

  // Bilateral evidence in the headline.
  const headlineBilateral = headlineRelations.filter((r) => r.kind === 'bilateral');
  const headlineTypes = new Set(headlineBilateral.flatMap((r) => r.types));
  let bilateralScore = 0;
  if (headlineTypes.size > 0) bilateralScore = 0.7 + 0.05 * Math.min(4, headlineTypes.size);
  else if (headlineBilateral.length > 0) {
    const leadTyped = leadZone.some((a) =>
      relationsBy.get(a)!.some((r) => r.kind === 'bilateral' && r.types.length > 0),
    );
    bilateralScore = leadTyped ? 0.55 : 0.35;
    reasons.push('the headline pairs both sides but names no act');
  }
  // Analysis pieces: a generic headline, but the opening paragraphs keep pairing the two sides.
  let leadOnly: Relation[] = [];
  if (bilateralScore === 0) {
    const typed = leadZone
      .flatMap((a) => relationsBy.get(a)!)
      .filter((r) => r.kind === 'bilateral' && r.types.length > 0);
    const byCountry = new Map<string, Relation[]>();
    for (const r of typed) for (const c of r.regionCodes) byCountry.set(c, [...(byCountry.get(c) ?? []), r]);
    leadOnly = [...byCountry.values()].find((rs) => new Set(rs.map((r) => r.analysis)).size >= 2) ?? [];
    // Read that deep, the negative rules must hold for the opening paragraphs too.
    const negativeInLead = leadZone.some((a) => a.terms.negatives.length > 0);
    if (negativeInLead) leadOnly = [];
    if (leadOnly.length > 0) {
      bilateralScore = 0.55;
      reasons.push('the opening paragraphs pair both sides repeatedly');
    }
  }
  if (thirdPartyFocus) bilateralScore *= 0.3;

  // Bloc moves count even without an anchor actor.
  const headlineBloc = headlineRelations.filter((r) => r.kind === 'bloc');
  const bodyBloc = analyses
    .filter((a) => !headline.includes(a))
    .flatMap((a) => relationsBy.get(a)!)
    .filter((r) => r.kind === 'bloc' && r.strong);
  const titleNamesRegionOrBloc = title.parties.some((p) => p.side === 'region' || p.side === 'bloc');
  let blocScore = 0;
  if (headlineBloc.length > 0) blocScore = headlineBloc.some((r) => r.strong) ? 0.85 : 0.75;
  else if (bodyBloc.length >= 2 || (bodyBloc.length >= 1 && titleNamesRegionOrBloc)) blocScore = 0.6;

  let score = Math.max(bilateralScore, blocScore);
  if (vetoes.length > 0) score = Math.min(score, 0.1);
  score = round(Math.min(0.99, score));
  const relevant = score >= manifest.relevanceThreshold;
  const calibration = watch.data.calibration;
  const relevance = calibrate(calibration?.relevance, score);

  if (!relevant) {
    if (headlineBilateral.length === 0 && headlineBloc.length === 0 && bodyBloc.length === 0)
      reasons.push('no Russia–Southeast Asia pairing or bloc move in the headline');
    return {
      articleId: article.id,
      watch: watch.id,
      rulesVersion: watch.version,
      relevant,
      relevance,
      scores: { relevance: score, events: [] },
      eventTypes: [],
      countries: [],
      actors: [],
      diplomaticEvents: [],
      context: [],
      evidence: negativeEvidence,
      reasons,
      explanation: reasons,
      cameo: [],
    };
  }

  // Events: the acts the headline reports (or, failing that, the bloc moves in the body).
  let eventRelations: Relation[] = [];
  if (bilateralScore >= manifest.relevanceThreshold) eventRelations.push(...headlineBilateral);
  eventRelations.push(...headlineBloc);
  if (eventRelations.length === 0 && bilateralScore >= manifest.relevanceThreshold) eventRelations = leadOnly;
  if (eventRelations.length === 0) eventRelations = bodyBloc;
  const used = new Set<Relation>(eventRelations);

  const groups = groupRelations(eventRelations);
  // A headline that pairs the sides without naming the act borrows it from the lead zone.
  for (const g of groups) {
    if (g.relations.some((r) => r.types.length > 0)) continue;
    const borrowed = leadZone
      .flatMap((a) => relationsBy.get(a)!)
      .find((r) => r.types.length > 0 && r.regionCodes.some((c) => g.regionCodes.has(c)));
    if (borrowed) {
      g.relations.push(borrowed);
      used.add(borrowed);
    }
  }

  type Draft = {
    group: Group;
    type: DiplomaticEventType;
    secondary: Set<DiplomaticEventType>;
    context: RelatedContext[];
  };
  const priority = (t: DiplomaticEventType): number => watch.typeRules.get(t)?.priority ?? 99;
  const drafts: Draft[] = [];
  for (const g of groups) {
    const titleTypes = g.relations.filter((r) => r.analysis === title).flatMap(explicitTypes);
    const all = g.relations.flatMap((r) => r.types);
    const explicit = g.relations.flatMap(explicitTypes);
    const pool = titleTypes.length > 0 ? titleTypes : explicit.length > 0 ? explicit : all;
    if (pool.length === 0) continue;
    const type = [...pool].sort((a, b) => priority(a) - priority(b))[0]!;
    drafts.push({ group: g, type, secondary: new Set(all.filter((t) => t !== type)), context: [] });
  }

  // A sentence that recalls an earlier act ("last year", "had visited", or a date well before
  // the reported act) is context with its own date, wherever it stands in the body; it is never
  // read as more evidence for the act, even when it names the same kind of act.
  const { daysBefore } = watch.data.rules.recalledActs;
  const actDay = actDayOf(headline) ?? day;
  const cutoff = actDay === null ? null : Date.parse(actDay) - daysBefore * 86_400_000;
  const earlierDate = (a: Analysis): ResolvedDate | undefined =>
    cutoff === null ? undefined : a.dates.find((d) => Date.parse(d.end) < cutoff);
  const recalled = new Set(
    analyses.filter(
      (a) =>
        a.sentence.zone === 'body' &&
        a.sentence.bodyIndex >= 1 &&
        relationsBy.get(a)!.length > 0 &&
        (a.terms.recalled.length > 0 || earlierDate(a) !== undefined),
    ),
  );
  const contextZone = analyses.filter((a) => leadZone.includes(a) || recalled.has(a));

  // The lead zone either repeats the act (more evidence) or recalls another one (context).
  const articleContext: RelatedContext[] = [];
  // The types the article is about include the context its opening recalls (the seed's BRICS
  // bid), not the background acts of its later paragraphs (a history of the relationship).
  const leadContextTypes: DiplomaticEventType[] = [];
  for (const a of contextZone) {
    const own = relationsBy.get(a)!;
    const isRecalled = recalled.has(a);
    // "The visit highlights Russia's shift towards Asia": no second party, but the sentence is
    // about the headline's act, so what it says the act concerns belongs to that act.
    const main = drafts[0];
    if (main && !isRecalled && a.terms.refersToEvent && !own.some((r) => r.types.length > 0)) {
      const triggers = a.triggers.filter((t) => watch.typeRules.get(t.type)?.relation !== 'bloc');
      if (triggers.length > 0) {
        const types = sortTypes(triggers.map((t) => t.type));
        main.group.relations.push({
          kind: 'bilateral',
          analysis: a,
          countries: [],
          regionCodes: [],
          types,
          triggers,
          strong: false,
          venueOnly: false,
        });
        types.filter((t) => t !== main.type).forEach((t) => main.secondary.add(t));
      }
    }
    for (const r of own) {
      if (used.has(r)) continue;
      // An earlier act told without a trigger word ("appeared alongside Putin at a forum in
      // Russia"): what its parties say it was.
      const untyped = r.types.length === 0 ? (isRecalled ? recalledActType(r, watch) : null) : null;
      if (r.types.length === 0 && untyped === null) continue;
      const target = drafts.find((d) => r.regionCodes.some((c) => d.group.regionCodes.has(c))) ?? drafts[0];
      // The same act told again: it names the act's type, or opens with "The agreement…".
      if (
        !isRecalled &&
        target &&
        (r.types.includes(target.type) || (a.terms.refersToEvent && r.kind === 'bilateral')) &&
        r.regionCodes.some((c) => target.group.regionCodes.has(c))
      ) {
        target.group.relations.push(r);
        r.types.filter((t) => t !== target.type).forEach((t) => target.secondary.add(t));
        used.add(r);
        continue;
      }
      const own = explicitTypes(r);
      const type =
        untyped ?? [...(own.length > 0 ? own : r.types)].sort((x, y) => priority(x) - priority(y))[0]!;
      const actors = uniqSorted(
        r.analysis.parties
          .filter((p) => p.via === 'official' && p.side !== 'other')
          .map((p) => p.official!.name),
      );
      const when = (isRecalled ? earlierDate(r.analysis) : undefined) ?? r.analysis.dates[0];
      const ctx: RelatedContext = {
        type,
        description: r.analysis.sentence.text,
        countries: r.countries,
        actors,
        date: when?.start ?? null,
        evidence: [
          evidenceOf(
            r.analysis,
            r.triggers,
            isRecalled
              ? [
                  ...r.analysis.terms.recalled.map((m) => `recalled:${m.text}`),
                  ...(untyped ? [`recalled-act:${untyped}`] : []),
                ]
              : [],
          ),
        ],
      };
      articleContext.push(ctx);
      if (leadZone.includes(a)) leadContextTypes.push(type);
      target?.context.push(ctx);
    }
  }

  // An event's evidence score: the article's, up when more sentences report the act, down when
  // the headline does not name it (it was read from the opening paragraphs).
  const eventScores = drafts.map((d) => {
    const reporting = new Set(
      d.group.relations.filter((r) => r.types.includes(d.type)).map((r) => r.analysis),
    );
    const inTitle = [...reporting].some((a) => a === title);
    return round(
      Math.max(0, Math.min(0.99, score + 0.05 * Math.min(2, reporting.size - 1) - (inTitle ? 0 : 0.1))),
    );
  });
  const actorSentences = [...headline, ...leadZone];
  // A byline: a line of the opening that is nothing but an official's name signs the piece (an
  // op-ed by an ambassador or a minister), so that official is the one making its statements.
  const signedBy: { official: Official; office: string }[] = [];
  for (const s of articleText.sentences) {
    if (s.zone === 'title' || s.skipped !== 'fragment') continue;
    if (s.index > manifest.leadZoneSentences) break;
    const name = s.text.replace(/[\s.,;:]+$/, '');
    const m = allTerms[s.index]!.officials.find(
      (o) => o.start === 0 && o.end === name.length && !o.value.short,
    );
    const office = m ? officeAt(m.value.official, day) : null;
    if (m && office !== null && m.value.side !== 'other')
      signedBy.push({ official: m.value.official, office });
  }
  const events: DetectedDiplomaticEvent[] = drafts.map((d, i) =>
    buildEvent(d, article, watch, day, calibrate(calibration?.event, eventScores[i]!), actorSentences),
  );

  const eventTypes = sortTypes([
    ...events.map((e) => e.type),
    ...drafts.flatMap((d) => [...d.secondary]),
    ...leadContextTypes,
  ]);
  const countries = uniqSorted(events.flatMap((e) => e.countries));
  const actors = [...new Set(events.flatMap((e) => e.actors.map((x) => x.name)))];
  const evidence: Evidence[] = [];
  const seen = new Set<string>();
  for (const e of events) {
    for (const ev of e.evidence) {
      if (seen.has(ev.sentence)) continue;
      seen.add(ev.sentence);
      evidence.push(ev);
    }
  }
  for (const d of drafts) {
    reasons.push(
      `${d.type} between ${[...d.group.regionCodes].join(', ')}` +
        (d.secondary.size ? ` (also ${sortTypes(d.secondary).join(', ')})` : ''),
    );
  }
  const cameo = uniqSorted(eventTypes.flatMap((t) => watch.typeRules.get(t)?.cameo ?? []));
  return {
    articleId: article.id,
    watch: watch.id,
    rulesVersion: watch.version,
    relevant,
    relevance,
    scores: { relevance: score, events: eventScores },
    eventTypes,
    countries,
    actors,
    diplomaticEvents: events,
    context: articleContext,
    evidence,
    reasons: [],
    explanation: reasons,
    cameo,
  };

  function buildEvent(
    d: Draft,
    art: ArticleInput,
    w: Watch,
    pubDay: string | null,
    confidence: number,
    nearby: Analysis[],
  ): DetectedDiplomaticEvent {
    const rels = d.group.relations;
    const countries = uniqSorted(rels.flatMap((r) => r.countries));
    const analysesOfEvent = [...new Set(rels.map((r) => r.analysis))];

    // Actors: officials of the two sides named in the event's sentences or the lead zone.
    const actorMap = new Map<string, Actor>();
    const visitorIsRegion =
      d.type === 'visit' &&
      analysesOfEvent.some((a) => {
        const trig = a.triggers.find((t) => t.type === 'visit');
        return (
          trig !== undefined &&
          a.parties.some(
            (p) => p.side === 'anchor' && (p.via === 'capital' || p.via === 'place') && p.start > trig.start,
          )
        );
      });
    const sources = [...analysesOfEvent, ...nearby.filter((a) => !analysesOfEvent.includes(a))];
    for (const a of sources) {
      for (const p of a.parties) {
        if (p.via !== 'official' || p.side === 'other' || !countries.includes(p.code)) continue;
        if (actorMap.has(p.official!.name)) continue;
        let role: Actor['role'] = 'participant';
        if (d.type === 'visit') role = (p.side === 'region') === visitorIsRegion ? 'actor' : 'host';
        actorMap.set(p.official!.name, {
          name: p.official!.name,
          office: p.office ?? null,
          country: p.code,
          role,
        });
      }
    }
    if (d.type === 'statement' || d.secondary.has('statement')) {
      for (const { official, office } of signedBy) {
        if (!countries.includes(official.country) || actorMap.has(official.name)) continue;
        actorMap.set(official.name, {
          name: official.name,
          office,
          country: official.country,
          role: 'actor',
        });
      }
    }
    const actors = [...actorMap.values()];
    const principal =
      actors.find((x) => x.role === 'actor' && x.country !== null && w.sideOf(x.country) === 'anchor') ??
      actors.find((x) => x.role === 'actor') ??
      actors[0];

    // Dates: the first date in the event's sentences that is not about the past.
    let startDate: string | null = null;
    let endDate: string | null = null;
    for (const a of analysesOfEvent) {
      for (const dt of a.dates) {
        // Only a day names the act's date; "in September" or "last year" is its background.
        if (dt.precision !== 'day') continue;
        // "since February 2021": a date about the past of the act.
        if (a.terms.pastDates.some((m) => m.end <= dt.index && m.start >= dt.index - 25)) continue;
        if (pubDay && Math.abs(Date.parse(dt.start) - Date.parse(pubDay)) > 400 * 86_400_000) continue;
        startDate = dt.start;
        endDate = dt.end;
        break;
      }
      if (startDate) break;
    }

    const topics = new Set<string>();
    analysesOfEvent.forEach((a) => a.topics.forEach((t) => topics.add(t)));
    d.secondary.forEach((t) => topics.add(t));

    const place = placeOf(d.type, analysesOfEvent, visitorIsRegion);
    const bucket = startDate ?? (pubDay ? isoWeek(pubDay) : `article:${art.id}`);
    const diplomaticEventId = hashId([w.id, d.type, countries.join(','), principal?.name ?? '', bucket]);
    const label = d.type.replace(/_/g, ' ');
    const who = principal ? `${principal.name}${principal.office ? ` (${principal.office})` : ''}` : null;
    const when = startDate
      ? endDate && endDate !== startDate
        ? ` ${startDate}..${endDate}`
        : ` ${startDate}`
      : '';
    const summary = `${label[0]!.toUpperCase()}${label.slice(1)}: ${countries.join(', ')}${who ? ` — ${who}` : ''}${when}`;

    return {
      diplomaticEventId,
      type: d.type,
      countries,
      actors,
      confidence,
      summary,
      startDate,
      endDate,
      place,
      topics: [...topics].sort(),
      evidence: analysesOfEvent.map((a) =>
        evidenceOf(
          a,
          rels.filter((r) => r.analysis === a).flatMap((r) => r.triggers),
        ),
      ),
      context: d.context,
    };
  }
};

const placeOf = (
  type: DiplomaticEventType,
  analyses: Analysis[],
  visitorIsRegion: boolean,
): string | null => {
  if (type !== 'visit') return null;
  const wanted: Side = visitorIsRegion ? 'anchor' : 'region';
  const names: string[] = [];
  for (const a of analyses) {
    for (const p of a.parties) {
      if (p.side === wanted && p.via !== 'official' && p.via !== 'demonym' && !names.includes(p.text))
        names.push(p.text);
    }
    if (names.length > 0) break;
  }
  return names.length > 0 ? names.join(', ') : null;
};

/** The CAMEO codes a watch maps an event type to. */
export const cameoCodesFor = (type: DiplomaticEventType, watch: Watch): string[] =>
  watch.typeRules.get(type)?.cameo ?? [];
