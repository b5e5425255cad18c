// Scores the classifier on a labelled JSONL file (default: ../shared/eval/dev.jsonl beside the
// repository; any file of the same format works).
//
//   node dist/scripts/eval.js [--file PATH | PATH] [--json] [--watch DIR] [--verbose]
//                             [--fit-calibration [--write]]
//
// --json: the last line of stdout is one JSON object
//   {"n", "relevance": {"precision","recall","f1"}, "types": {"macroF1","perType"},
//    "countries": {"exactMatch"}, "actors": {"recall"}}
// and the human-readable report goes to stderr instead. The file may also be given as EVAL_FILE.
// The report ends with reliability tables: the probabilities reported (article relevance, each
// diplomatic event's confidence) against how often the labels agree, bin by bin.
// --fit-calibration: fits the watch's calibration (evidence score -> probability) on the file
// and prints it; with --write it replaces <watch>/calibration.json.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  classifyArticle,
  findRepoRoot,
  loadDefaultWatch,
  loadWatch,
  fitCalibration,
  optionalWatchFileNames,
  parseLabelledJsonl,
  reliabilityOf,
  scoreRun,
  type EvalDetails,
  type Reliability,
} from '../libs/domain/src/classification';

type Options = {
  file: string;
  json: boolean;
  verbose: boolean;
  watchDir: string | undefined;
  fit: boolean;
  write: boolean;
};

const usage =
  'usage: eval [--file PATH | PATH] [--json] [--watch DIR] [--verbose] [--fit-calibration [--write]]';

const parseArgs = (args: string[]): Options => {
  let file: string | undefined;
  let watchDir: string | undefined;
  let json = false;
  let verbose = false;
  let fit = false;
  let write = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${usage}`);
      return v;
    };
    if (a === '--json') json = true;
    else if (a === '--verbose') verbose = true;
    else if (a === '--fit-calibration') fit = true;
    else if (a === '--write') write = true;
    else if (a === '--file') file = value();
    else if (a === '--watch') watchDir = value();
    else if (a.startsWith('--file=')) file = a.slice('--file='.length);
    else if (a.startsWith('--watch=')) watchDir = a.slice('--watch='.length);
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}\n${usage}`);
    else file ??= a;
  }
  file ??= process.env.EVAL_FILE ?? path.resolve(findRepoRoot(), '..', 'shared', 'eval', 'dev.jsonl');
  if (write && !fit) throw new Error(`--write goes with --fit-calibration\n${usage}`);
  return { file: path.resolve(file), json, verbose, watchDir, fit, write };
};

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

const reliabilityLines = (title: string, r: Reliability): string[] => [
  `${title}: ${r.n} predictions, ECE ${r.ece.toFixed(3)}, Brier ${r.brier.toFixed(3)}`,
  '  bin          n   predicted  observed',
  ...r.rows.map(
    (row) =>
      `  ${row.from.toFixed(1)}–${row.to.toFixed(1)}  ${String(row.n).padStart(5)}   ${row.predicted.toFixed(3).padStart(8)}  ${row.observed.toFixed(3).padStart(8)}`,
  ),
];

const report = (
  d: EvalDetails,
  reliability: ReturnType<typeof reliabilityOf>,
  o: Options,
  watchLabel: string,
  calibrated: boolean,
  msPerItem: number,
): string[] => {
  const s = d.summary;
  const { tp, fp, fn, positives } = d.counts;
  const shown = d.verdicts.filter((v) => v.problems.length > 0 || o.verbose);
  return [
    `eval ${o.file}`,
    `watch ${watchLabel}, ${s.n} items, ${msPerItem.toFixed(3)} ms/item`,
    '',
    `relevance  P ${pct(s.relevance.precision)}  R ${pct(s.relevance.recall)}  F1 ${pct(s.relevance.f1)}  (tp ${tp}, fp ${fp}, fn ${fn})`,
    '',
    'type                  P       R       F1     support  predicted',
    ...Object.entries(s.types.perType).map(
      ([t, x]) =>
        `${t.padEnd(20)} ${pct(x.precision).padStart(6)}  ${pct(x.recall).padStart(6)}  ${pct(x.f1).padStart(6)}  ${String(x.support).padStart(7)}  ${String(x.predicted).padStart(9)}`,
    ),
    `macro-F1 ${pct(s.types.macroF1)}`,
    '',
    `country-set exact match on positives ${pct(s.countries.exactMatch)} (${d.countryExact}/${positives})`,
    `actor recall on positives ${pct(s.actors.recall)} (${d.actorsFound}/${d.actorsGold})`,
    '',
    `reliability (${calibrated ? "the watch's calibration.json" : 'no calibration.json: raw evidence scores'}; an event is right when the labels list its type)`,
    ...reliabilityLines('relevance', reliability.relevance),
    ...reliabilityLines('diplomatic events', reliability.event),
    '',
    `${o.verbose ? 'items' : 'mistakes'} (${shown.length}):`,
    ...shown.map(
      (v) =>
        `  ${v.item.id} (p ${v.out.relevance}, score ${v.out.scores.relevance}) ${v.item.title.slice(0, 80)}\n` +
        `      ${v.problems.join('\n      ') || 'ok'}\n` +
        `      why: ${v.out.explanation.join(' | ')}`,
    ),
  ];
};

const main = (): void => {
  const o = parseArgs(process.argv.slice(2));
  const items = parseLabelledJsonl(fs.readFileSync(o.file, 'utf8'), o.file);
  const watch = o.watchDir ? loadWatch(o.watchDir) : loadDefaultWatch();

  const started = process.hrtime.bigint();
  const results = items.map((item) => ({
    item,
    out: classifyArticle(
      { id: item.id, title: item.title, text: item.text, publishedAt: item.published },
      watch,
    ),
  }));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;

  if (o.fit) {
    const fitted = fitCalibration(results, {
      file: path.basename(o.file),
      items: items.length,
      rulesVersion: watch.version,
    });
    const text = `${JSON.stringify(fitted, null, 2)}\n`;
    if (o.write) {
      const target = path.join(watch.dir, optionalWatchFileNames.calibration);
      fs.writeFileSync(target, text);
      process.stderr.write(`wrote ${target}\n`);
    }
    process.stdout.write(text);
    return;
  }

  const details = scoreRun(results);
  const lines = report(
    details,
    reliabilityOf(results),
    o,
    `${watch.id}@${watch.version}`,
    watch.data.calibration !== undefined,
    ms / Math.max(1, items.length),
  );
  if (o.json) {
    process.stderr.write(`${lines.join('\n')}\n`);
    process.stdout.write(`${JSON.stringify(details.summary)}\n`);
  } else {
    process.stdout.write(`${lines.join('\n')}\n`);
  }
};

try {
  main();
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exitCode = 1;
}
