// Scores the classifier on a labelled JSONL file (default: ../shared/eval/dev.jsonl next to the
// repository). Usage: node dist/scripts/eval.js [file.jsonl] [--json] [--watch dir] [--verbose]
// The file may also be given as EVAL_FILE.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { diplomaticEventTypes, type DiplomaticEventType } from '@diplowatch/contracts';
import {
  classifyArticle,
  findRepoRoot,
  loadDefaultWatch,
  loadWatch,
  type ArticleClassification,
} from '../libs/domain/src/classification';

type Item = {
  id: string;
  title: string;
  text: string;
  published: string | null;
  label: {
    relevant: boolean;
    event_types: DiplomaticEventType[];
    countries: string[];
    actors: string[];
    note?: string;
  };
};

type Prf = { tp: number; fp: number; fn: number; precision: number; recall: number; f1: number };
const prf = (tp: number, fp: number, fn: number): Prf => {
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { tp, fp, fn, precision, recall, f1 };
};
const r3 = (x: number): number => Math.round(x * 1000) / 1000;
const sameSet = (a: string[], b: string[]): boolean => a.length === b.length && a.every((x) => b.includes(x));

const main = (): void => {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const verbose = args.includes('--verbose');
  const watchIdx = args.indexOf('--watch');
  const watchDir = watchIdx >= 0 ? args[watchIdx + 1] : undefined;
  const positional = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--watch');
  const file =
    positional[0] ??
    process.env.EVAL_FILE ??
    path.resolve(findRepoRoot(), '..', 'shared', 'eval', 'dev.jsonl');

  const items: Item[] = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Item);
  const watch = watchDir ? loadWatch(watchDir) : loadDefaultWatch();

  const started = process.hrtime.bigint();
  const results: { item: Item; out: ArticleClassification }[] = items.map((item) => ({
    item,
    out: classifyArticle(
      { id: item.id, title: item.title, text: item.text, publishedAt: item.published },
      watch,
    ),
  }));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;

  let tp = 0;
  let fp = 0;
  let fn = 0;
  const perType = new Map(diplomaticEventTypes.map((t) => [t, { tp: 0, fp: 0, fn: 0 }]));
  let positives = 0;
  let countryExact = 0;
  let goldActors = 0;
  let foundActors = 0;
  const mistakes: string[] = [];

  for (const { item, out } of results) {
    const gold = item.label;
    if (gold.relevant && out.relevant) tp++;
    else if (!gold.relevant && out.relevant) fp++;
    else if (gold.relevant && !out.relevant) fn++;
    const predTypes = out.relevant ? out.eventTypes : [];
    for (const t of diplomaticEventTypes) {
      const c = perType.get(t)!;
      const g = gold.event_types.includes(t);
      const p = predTypes.includes(t);
      if (g && p) c.tp++;
      else if (p) c.fp++;
      else if (g) c.fn++;
    }
    if (gold.relevant) {
      positives++;
      if (sameSet(out.countries, gold.countries)) countryExact++;
      goldActors += gold.actors.length;
      foundActors += gold.actors.filter((a) => out.actors.includes(a)).length;
    }
    const problems: string[] = [];
    if (gold.relevant !== out.relevant) problems.push(out.relevant ? 'FALSE POSITIVE' : 'FALSE NEGATIVE');
    if (gold.relevant && out.relevant) {
      if (!sameSet(predTypes, gold.event_types))
        problems.push(`types gold=[${gold.event_types.join(',')}] got=[${predTypes.join(',')}]`);
      if (!sameSet(out.countries, gold.countries))
        problems.push(
          `countries gold=[${[...gold.countries].sort().join(',')}] got=[${out.countries.join(',')}]`,
        );
      const missed = gold.actors.filter((a) => !out.actors.includes(a));
      if (missed.length) problems.push(`actors missed=[${missed.join(', ')}]`);
    }
    if (problems.length || verbose) {
      mistakes.push(
        `${item.id} (${out.relevance}) ${item.title.slice(0, 80)}\n    ${problems.join('\n    ') || 'ok'}\n    why: ${out.explanation.join(' | ')}`,
      );
    }
  }

  const relevance = prf(tp, fp, fn);
  const types = Object.fromEntries(
    [...perType].map(([t, c]) => {
      const s = prf(c.tp, c.fp, c.fn);
      return [t, { precision: r3(s.precision), recall: r3(s.recall), f1: r3(s.f1), support: c.tp + c.fn }];
    }),
  );
  const macroF1 = [...perType.values()].reduce((acc, c) => acc + prf(c.tp, c.fp, c.fn).f1, 0) / perType.size;
  const figures = {
    file,
    watch: `${watch.id}@${watch.version}`,
    items: items.length,
    relevance: {
      precision: r3(relevance.precision),
      recall: r3(relevance.recall),
      f1: r3(relevance.f1),
      tp,
      fp,
      fn,
    },
    macroF1: r3(macroF1),
    types,
    countryExactMatch: r3(positives ? countryExact / positives : 1),
    actorRecall: r3(goldActors ? foundActors / goldActors : 1),
    mistakes: mistakes.length,
    msPerItem: r3(ms / Math.max(1, items.length)),
  };

  if (json) {
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    return;
  }
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const lines = [
    `eval ${file}`,
    `watch ${figures.watch}, ${items.length} items, ${figures.msPerItem} ms/item`,
    '',
    `relevance  P ${pct(relevance.precision)}  R ${pct(relevance.recall)}  F1 ${pct(relevance.f1)}  (tp ${tp}, fp ${fp}, fn ${fn})`,
    '',
    'type                  P       R       F1     support',
    ...Object.entries(types).map(
      ([t, s]) =>
        `${t.padEnd(20)} ${pct(s.precision).padStart(6)}  ${pct(s.recall).padStart(6)}  ${pct(s.f1).padStart(6)}  ${String(s.support).padStart(4)}`,
    ),
    `macro-F1 ${pct(macroF1)}`,
    '',
    `country-set exact match on positives ${pct(figures.countryExactMatch)} (${countryExact}/${positives})`,
    `actor recall on positives ${pct(figures.actorRecall)} (${foundActors}/${goldActors})`,
    '',
    `${verbose ? 'items' : 'mistakes'} (${mistakes.length}):`,
    ...mistakes.map((m) => `  ${m}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
};

main();
