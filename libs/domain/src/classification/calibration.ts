import { z } from 'zod';

// Confidence that means something. The rules produce an evidence score (a headline that pairs
// both sides and names the act scores higher than a pairing found only in the opening
// paragraphs, and so on); that score is an ordering, not a probability. A watch's
// calibration.json maps it to one: the score range is cut into bins, and each bin holds the
// share of correct verdicts observed in it on a labelled set, smoothed (a bin of 3 out of 3 is
// not "certain") and made monotone (a stronger score never maps lower). `npm run eval -- --fit-calibration --write` refits it; eval prints the reliability
// table (predicted against observed) so the claim can be checked on any labelled file.

export const calibrationBinSchema = z.strictObject({
  /** Evidence scores in [from, to). The last bin includes 1. */
  from: z.number().min(0).max(1),
  to: z.number().min(0).max(1),
  /** The probability reported for a score in this bin. */
  p: z.number().min(0).max(1),
  /** What it was fitted from: verdicts in the bin, and how many of them were right. */
  n: z.number().int().min(0),
  positives: z.number().int().min(0),
});
export type CalibrationBin = z.infer<typeof calibrationBinSchema>;

export const calibrationTableSchema = z
  .strictObject({ bins: z.array(calibrationBinSchema).min(1) })
  .superRefine((t, ctx) => {
    t.bins.forEach((b, i) => {
      if (b.from >= b.to)
        ctx.addIssue({ code: 'custom', path: ['bins', i], message: '"from" must be below "to"' });
      if (b.positives > b.n)
        ctx.addIssue({ code: 'custom', path: ['bins', i], message: '"positives" exceeds "n"' });
      const prev = t.bins[i - 1];
      if (prev && prev.to !== b.from)
        ctx.addIssue({ code: 'custom', path: ['bins', i, 'from'], message: 'bins must be contiguous' });
      if (prev && prev.p > b.p)
        ctx.addIssue({ code: 'custom', path: ['bins', i, 'p'], message: 'p must not decrease' });
    });
  });
export type CalibrationTable = z.infer<typeof calibrationTableSchema>;

export const calibrationFileSchema = z.strictObject({
  /** Where the numbers come from (file, item count, rules version at fitting time). */
  fittedOn: z.strictObject({ file: z.string(), items: z.number().int(), rulesVersion: z.string() }),
  method: z.string().min(1),
  /** Evidence score of an article -> probability that it is relevant. */
  relevance: calibrationTableSchema,
  /** Evidence score of a diplomatic event -> probability that its type is right. */
  event: calibrationTableSchema,
});
export type CalibrationFile = z.infer<typeof calibrationFileSchema>;

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** The calibrated probability of an evidence score; the score itself when there is no table. */
export const calibrate = (table: CalibrationTable | undefined, score: number): number => {
  if (!table) return round3(Math.min(1, Math.max(0, score)));
  const bins = table.bins;
  for (const b of bins) if (score >= b.from && score < b.to) return b.p;
  return score < bins[0]!.from ? bins[0]!.p : bins[bins.length - 1]!.p;
};

export type Outcome = { score: number; correct: boolean };

/**
 * Bins fixed by `edges`, each estimated as (right + 1) / (n + 2) (Laplace: a bin of 3 right out
 * of 3 says 0.8, not 1), then pooled where needed so that p never decreases (pool adjacent
 * violators, weighted by n + 2). A bin without data makes no claim of its own: it takes the
 * value of the nearest fitted bin below it (above it, at the bottom).
 */
export const fitCalibrationTable = (
  outcomes: readonly Outcome[],
  edges: readonly number[],
): CalibrationTable => {
  if (edges.length < 2) throw new Error('calibration needs at least two bin edges');
  const bins = edges.slice(0, -1).map((from, i) => {
    const to = edges[i + 1]!;
    const last = i === edges.length - 2;
    const inBin = outcomes.filter((o) => o.score >= from && (o.score < to || (last && o.score <= to)));
    return { from, to, n: inBin.length, positives: inBin.filter((o) => o.correct).length };
  });
  type Block = { members: number[]; right: number; weight: number };
  const estimate = (b: Block): number => b.right / b.weight;
  const blocks: Block[] = [];
  bins.forEach((b, i) => {
    if (b.n === 0) return;
    blocks.push({ members: [i], right: b.positives + 1, weight: b.n + 2 });
    while (blocks.length > 1 && estimate(blocks[blocks.length - 2]!) > estimate(blocks[blocks.length - 1]!)) {
      const top = blocks.pop()!;
      const below = blocks[blocks.length - 1]!;
      below.members.push(...top.members);
      below.right += top.right;
      below.weight += top.weight;
    }
  });
  const p: (number | undefined)[] = new Array<number | undefined>(bins.length).fill(undefined);
  for (const b of blocks) for (const i of b.members) p[i] = round3(estimate(b));
  for (let i = 0; i < p.length; i++) p[i] ??= i > 0 ? p[i - 1] : undefined;
  for (let i = p.length - 1; i >= 0; i--) p[i] ??= p[i + 1] ?? 0.5;
  return { bins: bins.map((b, i) => ({ ...b, p: p[i]! })) };
};

export type ReliabilityRow = { from: number; to: number; n: number; predicted: number; observed: number };
export type Reliability = {
  rows: ReliabilityRow[];
  /** Expected calibration error: |predicted − observed| averaged over bins, weighted by size. */
  ece: number;
  /** Mean squared error of the probabilities. */
  brier: number;
  n: number;
};

/** Predicted probability against observed frequency, in equal-width bins. */
export const reliabilityTable = (
  pairs: readonly { p: number; correct: boolean }[],
  binCount = 5,
): Reliability => {
  const rows: ReliabilityRow[] = [];
  let ece = 0;
  for (let i = 0; i < binCount; i++) {
    const from = i / binCount;
    const to = (i + 1) / binCount;
    const inBin = pairs.filter((x) => x.p >= from && (x.p < to || (i === binCount - 1 && x.p <= to)));
    if (inBin.length === 0) continue;
    const predicted = inBin.reduce((a, x) => a + x.p, 0) / inBin.length;
    const observed = inBin.filter((x) => x.correct).length / inBin.length;
    ece += (inBin.length / pairs.length) * Math.abs(predicted - observed);
    rows.push({ from, to, n: inBin.length, predicted: round3(predicted), observed: round3(observed) });
  }
  const brier = pairs.length
    ? pairs.reduce((a, x) => a + (x.p - (x.correct ? 1 : 0)) ** 2, 0) / pairs.length
    : 0;
  return { rows, ece: round3(ece), brier: round3(brier), n: pairs.length };
};
