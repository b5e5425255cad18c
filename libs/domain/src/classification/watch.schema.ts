import { z } from 'zod';
import { diplomaticEventTypeSchema } from '@diplowatch/contracts';
import type { CalibrationFile } from './calibration';

// The data files of a watch. A watch is data only: a new region or pair of countries is a new
// folder of these four files (plus an optional calibration.json, see calibration.ts), no code.
// Terms are literal phrases matched case-insensitively on word boundaries; whitespace matches
// any run of whitespace, punctuation need not be spaced as written, typographic dashes and
// quotes match their ASCII forms, and a trailing `*` matches any word ending ("visit*" = visit,
// visits, visiting…). `caseSensitive` terms keep their case ("US"). `patterns` are raw regular
// expressions (JavaScript syntax, flags `imu`, on word boundaries) for what terms can't say; the
// classifier reads a whole article at once, one paragraph per line, so `^` and `$` mark the ends
// of a paragraph (the headline is a line of its own) and a match may not run past its sentence.

const isIso = (s: unknown): boolean => typeof s === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(s);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD');
const term = z.string().trim().min(1, 'a term may not be empty');
const regexSource = z.string().superRefine((src, ctx) => {
  try {
    new RegExp(src, 'iu');
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${(e as Error).message}` });
  }
});
const terms = z.array(term).default([]);
const patterns = z.array(regexSource).default([]);
const entityCode = z
  .string()
  .regex(/^[A-Z]{2,6}$/, 'expected an upper-case code such as RUS, ASEAN or BRICS');
export const partyCodeSchema = z.string().regex(/^([A-Z]{3}|ASEAN)$/, 'expected ISO alpha-3 or ASEAN');

export const watchManifestSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/, 'expected a kebab-case id'),
  version: z.string().min(1),
  title: z.string().min(1),
  description: z.string().default(''),
  /** The side every relevant act must involve (e.g. Russia). */
  anchor: z.array(partyCodeSchema).min(1),
  /** The other side (e.g. the Southeast Asian states and ASEAN). */
  region: z.array(partyCodeSchema).min(1),
  /** Blocs whose membership moves by a region state count even without an anchor actor. */
  blocs: z.array(entityCode).default([]),
  /** Blocs led by the anchor: cooperation between them and a region state is an anchor relation. */
  anchorLedBlocs: z.array(entityCode).default([]),
  relevanceThreshold: z.number().min(0).max(1).default(0.5),
  /** How many body sentences after the lead are read for related context. */
  leadZoneSentences: z.number().int().min(0).max(50).default(5),
});
export type WatchManifest = z.infer<typeof watchManifestSchema>;

export const entityKinds = ['state', 'body', 'bloc'] as const;
export const entitySchema = z.strictObject({
  code: entityCode,
  kind: z.enum(entityKinds),
  names: terms,
  demonyms: terms,
  /** Capitals and metonyms that stand for the government: Moscow, the Kremlin, Putrajaya. */
  capitals: terms,
  /** Bodies that act for the state: state oil companies, ministries, armed forces. */
  stateBodies: terms,
  /** Other places inside the state: they locate an act but do not act (Bali, Kazan). */
  places: terms,
  caseSensitive: terms,
  patterns,
});
export type Entity = z.infer<typeof entitySchema>;

export const countriesFileSchema = z.strictObject({
  entities: z.array(entitySchema).min(1),
  /** Phrases whose country words are not country mentions ("Malaysia Airlines", "South China Sea"). */
  suppress: z.array(z.strictObject({ id: z.string().min(1), terms, patterns })).default([]),
});
export type CountriesFile = z.infer<typeof countriesFileSchema>;

export const officeSchema = z
  .strictObject({ office: z.string().min(1), from: isoDate.nullable(), to: isoDate.nullable() })
  .refine((o) => o.from === null || o.to === null || !isIso(o.from) || !isIso(o.to) || o.from <= o.to, {
    message: '"from" is after "to"',
  });

export const officialSchema = z.strictObject({
  name: z.string().min(1),
  country: partyCodeSchema,
  aliases: terms,
  /** Surnames or given names that are too ambiguous alone: matched only when the article names the country. */
  shortAliases: terms,
  patterns,
  offices: z.array(officeSchema).min(1),
});
export type Official = z.infer<typeof officialSchema>;

export const officialsFileSchema = z.strictObject({ officials: z.array(officialSchema) });
export type OfficialsFile = z.infer<typeof officialsFileSchema>;

export const triggerSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9_.-]+$/, 'expected a lower-case id'),
  terms,
  caseSensitive: terms,
  patterns,
  /** Fires only if the sentence also names an office or an official (speech verbs, "says"). */
  requiresOffice: z.boolean().default(false),
  /**
   * Fires only if the sentence also has a trigger of one of these event types or a term of one
   * of these topics ("said" is a statement only when something is said about the relationship;
   * "helicopters" is arms trade only beside a purchase or a delivery).
   */
  requiresWith: z.array(z.string().min(1)).default([]),
  /**
   * Does not fire when the sentence has a trigger of one of these types: "…, the ministry said"
   * after a reported visit or drill attributes the act, it is not a statement of its own.
   */
  notWith: z.array(diplomaticEventTypeSchema).default([]),
  /** Only read in the headline (e.g. RT's "… – Putin" attribution). */
  titleOnly: z.boolean().default(false),
  /** Strong enough to make an article relevant from the body alone (bloc moves). */
  strong: z.boolean().default(false),
  /**
   * Fires only where the anchor side acts as a state in the sentence (named, its capital, a state
   * body or an official, or an office is named): "Russian wheat shipments rose" is trade, not a
   * state act.
   */
  requiresStateActor: z.boolean().default(false),
});
export type Trigger = z.infer<typeof triggerSchema>;

export const eventTypeRuleSchema = z.strictObject({
  type: diplomaticEventTypeSchema,
  cameo: z.array(z.string().regex(/^\d{2,4}$/, 'expected a CAMEO code such as 042')).min(1),
  /** Lower wins when one act has several types: the winner is the event's type, the rest its topics. */
  priority: z.number().int(),
  /** bilateral: anchor and region party in one sentence; bloc: a region state and a bloc. */
  relation: z.enum(['bilateral', 'bloc', 'any']),
  triggers: z.array(triggerSchema).min(1),
  /**
   * Also reported, without a trigger of its own, by an act of one of these types that happens
   * in one side's territory with the other side present: "Sugiono held talks with Lavrov in
   * Moscow" reports a visit.
   */
  impliedAtVenueBy: z.array(diplomaticEventTypeSchema).default([]),
});
export type EventTypeRule = z.infer<typeof eventTypeRuleSchema>;

export const negativeRuleSchema = z.strictObject({
  id: z.string().min(1),
  description: z.string().min(1),
  terms,
  caseSensitive: terms,
  patterns,
  /** Where the rule is read: the headline (title and lead) or any sentence. */
  scope: z.enum(['headline', 'any']),
  /** The rule does not apply when a headline sentence pairs both sides with one of these types. */
  unlessTypes: z.array(diplomaticEventTypeSchema).default([]),
});
export type NegativeRule = z.infer<typeof negativeRuleSchema>;

export const rulesFileSchema = z.strictObject({
  eventTypes: z.array(eventTypeRuleSchema).min(1),
  topics: z.array(z.strictObject({ topic: z.string().min(1), terms, patterns })).default([]),
  negatives: z.array(negativeRuleSchema).default([]),
  officeTerms: z.strictObject({ terms, caseSensitive: terms }),
  /** "Russian-made", "Russian-run": the demonym describes a thing, not an actor. */
  attributiveSuffixes: terms,
  /** Clause openers whose clause is background in a headline ("… after visit to North Korea"). */
  subordinators: terms,
  /** "the bloc", "the group": refer to the bloc last named in the article. */
  blocAnaphora: terms,
  /**
   * "The visit", "The talks" opening a sentence of the lead zone: the sentence is about the act
   * the headline reports, so what it says the act is about is read as part of the act.
   */
  eventAnaphora: terms,
  /** Lines that are photo captions or credits (never evidence). */
  captionPatterns: patterns,
  /** Feed boilerplate lines dropped before reading. */
  boilerplatePatterns: patterns,
  /** Words before a date that place it in the past of the act ("since"). */
  pastDateMarkers: terms,
  /**
   * A sentence that recalls an earlier act rather than reporting the article's own: words and
   * patterns that mark it ("last year", "previously", "had visited"), or a date more than
   * `daysBefore` days before the reported act (or the publication, when the act has no date).
   * Such a sentence is related context with its own date, never more evidence for the act.
   */
  recalledActs: z
    .strictObject({ terms, patterns, daysBefore: z.number().int().min(0).default(14) })
    .default({ terms: [], patterns: [], daysBefore: 14 }),
});
export type RulesFile = z.infer<typeof rulesFileSchema>;

export type WatchData = {
  manifest: WatchManifest;
  countries: CountriesFile;
  officials: OfficialsFile;
  rules: RulesFile;
  /** Evidence score -> probability (calibration.json); without it scores are reported as they are. */
  calibration?: CalibrationFile;
};
