import { z } from 'zod';
import { diplomaticEventTypes, type DiplomaticEventType } from '@diplowatch/contracts';
import {
  fitCalibrationTable,
  reliabilityTable,
  type CalibrationFile,
  type Outcome,
  type Reliability,
} from './calibration';
import type { ArticleClassification } from './classify-article';

// Scoring a classifier run against hand labels (the format of shared/eval/*.jsonl). Pure: the
// eval script reads the file and prints; everything it prints is computed here.

export const labelledItemSchema = z.object({
  id: z.string().min(1),
  title: z.string().default(''),
  text: z.string().default(''),
  published: z.string().nullable().default(null),
  label: z.object({
    relevant: z.boolean(),
    // Unknown type names are kept (they count as misses) rather than rejecting the file.
    event_types: z.array(z.string()).default([]),
    countries: z.array(z.string()).default([]),
    actors: z.array(z.string()).default([]),
    note: z.string().optional(),
  }),
});
export type LabelledItem = z.infer<typeof labelledItemSchema>;

/** One JSON object per line; blank lines are skipped. Errors name the line. */
export const parseLabelledJsonl = (text: string, file = '<input>'): LabelledItem[] => {
  const items: LabelledItem[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (e) {
      throw new Error(`${file}:${i + 1}: not JSON (${(e as Error).message})`);
    }
    const parsed = labelledItemSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`${file}:${i + 1}: ${issue.path.join('.')}: ${issue.message}`);
    }
    items.push(parsed.data);
  });
  return items;
};

export type Prf = { precision: number; recall: number; f1: number };
export type PerTypeScore = Prf & { support: number; predicted: number };

/** The figures `npm run eval -- --json` prints, exactly in this shape. */
export type EvalSummary = {
  n: number;
  relevance: Prf;
  types: { macroF1: number; perType: Partial<Record<DiplomaticEventType, PerTypeScore>> };
  countries: { exactMatch: number };
  actors: { recall: number };
};

export type ItemVerdict = { item: LabelledItem; out: ArticleClassification; problems: string[] };

export type EvalDetails = {
  summary: EvalSummary;
  counts: { tp: number; fp: number; fn: number; tn: number; positives: number };
  countryExact: number;
  actorsFound: number;
  actorsGold: number;
  verdicts: ItemVerdict[];
};

const r3 = (x: number): number => Math.round(x * 1000) / 1000;
const rawPrf = (tp: number, fp: number, fn: number): Prf => {
  // No predictions and nothing to find is perfect; either one alone scores 0.
  const precision = tp + fp === 0 ? (fn === 0 ? 1 : 0) : tp / (tp + fp);
  const recall = tp + fn === 0 ? (fp === 0 ? 1 : 0) : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
};
const prf = (tp: number, fp: number, fn: number): Prf => {
  const x = rawPrf(tp, fp, fn);
  return { precision: r3(x.precision), recall: r3(x.recall), f1: r3(x.f1) };
};
const sameSet = (a: readonly string[], b: readonly string[]): boolean => {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
};

/**
 * Relevance P/R/F1 over all items; per-type P/R/F1 over all items (types of an article judged
 * not relevant count as none); macro-F1 over the types that occur in the labels or the
 * predictions of this file (a type absent from both says nothing either way); country-set exact
 * match and actor recall over the labelled positives.
 */
export const scoreRun = (
  results: readonly { item: LabelledItem; out: ArticleClassification }[],
): EvalDetails => {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  let positives = 0;
  let countryExact = 0;
  let actorsGold = 0;
  let actorsFound = 0;
  const perType = new Map(diplomaticEventTypes.map((t) => [t, { tp: 0, fp: 0, fn: 0 }]));
  const verdicts: ItemVerdict[] = [];

  for (const { item, out } of results) {
    const gold = item.label;
    const goldTypes = gold.relevant ? gold.event_types : [];
    const predTypes = out.relevant ? out.eventTypes : [];
    if (gold.relevant && out.relevant) tp++;
    else if (out.relevant) fp++;
    else if (gold.relevant) fn++;
    else tn++;
    for (const [t, c] of perType) {
      const g = goldTypes.includes(t);
      const p = predTypes.includes(t);
      if (g && p) c.tp++;
      else if (p) c.fp++;
      else if (g) c.fn++;
    }
    const predCountries = out.relevant ? out.countries : [];
    const predActors = out.relevant ? out.actors : [];
    if (gold.relevant) {
      positives++;
      if (sameSet(predCountries, gold.countries)) countryExact++;
      actorsGold += gold.actors.length;
      actorsFound += gold.actors.filter((a) => predActors.includes(a)).length;
    }
    const problems: string[] = [];
    if (gold.relevant !== out.relevant) problems.push(out.relevant ? 'FALSE POSITIVE' : 'FALSE NEGATIVE');
    if (gold.relevant && out.relevant) {
      if (!sameSet(predTypes, goldTypes))
        problems.push(`types gold=[${goldTypes.join(',')}] got=[${predTypes.join(',')}]`);
      if (!sameSet(predCountries, gold.countries))
        problems.push(
          `countries gold=[${[...gold.countries].sort().join(',')}] got=[${predCountries.join(',')}]`,
        );
      const missed = gold.actors.filter((a) => !predActors.includes(a));
      if (missed.length) problems.push(`actors missed=[${missed.join(', ')}]`);
    }
    verdicts.push({ item, out, problems });
  }

  const perTypeOut: Partial<Record<DiplomaticEventType, PerTypeScore>> = {};
  const f1s: number[] = [];
  for (const [t, c] of perType) {
    const support = c.tp + c.fn;
    const predicted = c.tp + c.fp;
    perTypeOut[t] = { ...prf(c.tp, c.fp, c.fn), support, predicted };
    if (support + predicted > 0) f1s.push(rawPrf(c.tp, c.fp, c.fn).f1);
  }
  const summary: EvalSummary = {
    n: results.length,
    relevance: prf(tp, fp, fn),
    types: {
      macroF1: r3(f1s.length ? f1s.reduce((a, b) => a + b, 0) / f1s.length : 1),
      perType: perTypeOut,
    },
    countries: { exactMatch: r3(positives ? countryExact / positives : 1) },
    actors: { recall: r3(actorsGold ? actorsFound / actorsGold : 1) },
  };
  return {
    summary,
    counts: { tp, fp, fn, tn, positives },
    countryExact,
    actorsFound,
    actorsGold,
    verdicts,
  };
};

/** Whether a detected event is right: the article is relevant and its labels list the type. */
const eventIsRight = (item: LabelledItem, type: DiplomaticEventType): boolean =>
  item.label.relevant && item.label.event_types.includes(type);

/** Evidence scores with their outcomes, for fitting a calibration. */
export const calibrationOutcomes = (
  results: readonly { item: LabelledItem; out: ArticleClassification }[],
): { relevance: Outcome[]; event: Outcome[] } => ({
  relevance: results.map(({ item, out }) => ({ score: out.scores.relevance, correct: item.label.relevant })),
  event: results.flatMap(({ item, out }) =>
    out.diplomaticEvents.map((e, i) => ({
      score: out.scores.events[i] ?? 0,
      correct: eventIsRight(item, e.type),
    })),
  ),
});

/** The bins calibration is fitted in: the evidence score levels the rules produce. */
export const calibrationEdges = [0, 0.2, 0.5, 0.65, 0.8, 0.9, 1] as const;

export const fitCalibration = (
  results: readonly { item: LabelledItem; out: ArticleClassification }[],
  fittedOn: CalibrationFile['fittedOn'],
): CalibrationFile => {
  const outcomes = calibrationOutcomes(results);
  return {
    fittedOn,
    method: `fixed bins ${calibrationEdges.join('/')}; (right + 1) / (n + 2) per bin; pool adjacent violators`,
    relevance: fitCalibrationTable(outcomes.relevance, calibrationEdges),
    event: fitCalibrationTable(outcomes.event, calibrationEdges),
  };
};

/** Reported probabilities against what the labels say: relevance, and each detected event. */
export const reliabilityOf = (
  results: readonly { item: LabelledItem; out: ArticleClassification }[],
): { relevance: Reliability; event: Reliability } => ({
  relevance: reliabilityTable(
    results.map(({ item, out }) => ({ p: out.relevance, correct: item.label.relevant })),
  ),
  event: reliabilityTable(
    results.flatMap(({ item, out }) =>
      out.diplomaticEvents.map((e) => ({ p: e.confidence, correct: eventIsRight(item, e.type) })),
    ),
  ),
});
