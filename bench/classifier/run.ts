// Classifier throughput on one core: the development texts classified over and over (20,000
// classifications by default), beside a baseline measured in the same run on the same texts:
// one regular expression, an alternation of every gazetteer term of the watch, scanned over
// each article. The two run in interleaved rounds so that load from other processes weighs on
// both alike. Prints a report, then its figures as one JSON line (the last line).
//
//   npm run bench:classifier [-- --file PATH] [--n 20000] [--watch DIR]
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  classifyArticle,
  findRepoRoot,
  loadDefaultWatch,
  loadWatch,
  parseLabelledJsonl,
  watchTerms,
  type ArticleInput,
  type Watch,
} from '@diplowatch/domain';

type Stats = { articlesPerSec: number; p50Ms: number; p99Ms: number; maxMs: number; totalMs: number };

const arg = (name: string): string | undefined => {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};

const quantile = (sorted: Float64Array, q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

type Timing = { times: Float64Array; count: number; totalMs: number };

const timing = (n: number): Timing => ({ times: new Float64Array(n), count: 0, totalMs: 0 });

/** Runs `work` n times over the articles in turn (continuing from `from`), timing each call. */
const run = (
  articles: ArticleInput[],
  from: number,
  n: number,
  t: Timing,
  work: (a: ArticleInput) => unknown,
): void => {
  let sink = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    const out = work(articles[(from + i) % articles.length]!);
    t.times[t.count++] = Number(process.hrtime.bigint() - t0) / 1e6;
    if (out) sink++;
  }
  t.totalMs += Number(process.hrtime.bigint() - started) / 1e6;
  if (sink < 0) process.stdout.write('');
};

const stats = (t: Timing): Stats => {
  const sorted = t.times.slice(0, t.count).sort();
  const r = (x: number, d = 4): number => Number(x.toFixed(d));
  return {
    articlesPerSec: Math.round((t.count / t.totalMs) * 1000),
    p50Ms: r(quantile(sorted, 0.5)),
    p99Ms: r(quantile(sorted, 0.99)),
    maxMs: r(sorted[sorted.length - 1]!),
    totalMs: r(t.totalMs, 1),
  };
};

/** The baseline: every term of the watch in one case-insensitive alternation, one scan per article. */
const baselineScanner = (watch: Watch): ((a: ArticleInput) => number) => {
  const escape = (t: string): string =>
    t
      .replace(/\*$/, '')
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      .replace(/\s+/g, '\\s+');
  const terms = [...new Set(watchTerms(watch))].sort((a, b) => b.length - a.length);
  const re = new RegExp(`(?<![A-Za-z0-9_])(?:${terms.map(escape).join('|')})(?![A-Za-z0-9_])`, 'gi');
  return (a) => {
    let hits = 0;
    for (const text of [a.title, a.text]) {
      re.lastIndex = 0;
      while (re.exec(text) !== null) hits++;
    }
    return hits;
  };
};

const main = (): void => {
  const file = arg('file') ?? path.resolve(findRepoRoot(), '..', 'shared', 'eval', 'dev.jsonl');
  const n = Number(arg('n') ?? 20_000);
  const watchDir = arg('watch');
  const watch = watchDir ? loadWatch(watchDir) : loadDefaultWatch();
  const articles: ArticleInput[] = parseLabelledJsonl(fs.readFileSync(file, 'utf8'), file).map((it) => ({
    id: it.id,
    title: it.title,
    text: it.text,
    publishedAt: it.published,
  }));
  const chars = articles.reduce((acc, a) => acc + a.title.length + a.text.length, 0) / articles.length;
  const baseline = baselineScanner(watch);
  const classify = (a: ArticleInput): unknown => classifyArticle(a, watch);

  // Warm-up: let V8 compile and optimise both before anything is timed.
  const warm = Math.min(2_000, n);
  run(articles, 0, warm, timing(warm), baseline);
  run(articles, 0, warm, timing(warm), classify);
  // Interleaved rounds: on a shared machine the load drifts, and both sides should see the same.
  const rounds = 10;
  const baseT = timing(n);
  const clsT = timing(n);
  for (let r = 0, done = 0; r < rounds; r++) {
    const chunk = r === rounds - 1 ? n - done : Math.floor(n / rounds);
    run(articles, done, chunk, baseT, baseline);
    run(articles, done, chunk, clsT, classify);
    done += chunk;
  }
  const base = stats(baseT);
  const cls = stats(clsT);
  // Wall-clock quantiles count the time another process held the core; CPU time (this process,
  // measured in µs) does not. A separate pass, so that its overhead stays out of the rates above.
  const cpuN = Math.min(5_000, n);
  const cpu = new Float64Array(cpuN);
  for (let i = 0; i < cpuN; i++) {
    const c0 = process.cpuUsage();
    classify(articles[i % articles.length]!);
    const c = process.cpuUsage(c0);
    cpu[i] = (c.user + c.system) / 1000;
  }
  cpu.sort();
  const cpuStats = { cpuP50Ms: quantile(cpu, 0.5), cpuP99Ms: quantile(cpu, 0.99) };

  const ratio = Number((base.articlesPerSec / cls.articlesPerSec).toFixed(2));
  const figures = {
    bench: 'classifier',
    watch: `${watch.id}@${watch.version}`,
    file: path.basename(file),
    distinctTexts: articles.length,
    meanChars: Math.round(chars),
    classifications: n,
    terms: watchTerms(watch).length,
    classifier: { ...cls, ...cpuStats },
    baseline: base,
    baselineOverClassifier: ratio,
    goals: {
      articlesPerSec2000: cls.articlesPerSec >= 2_000,
      within5xOfBaseline: ratio <= 5,
      p99Under5ms: cls.p99Ms < 5,
    },
    node: process.version,
  };
  const line = (label: string, s: Stats): string =>
    `${label.padEnd(11)} ${String(s.articlesPerSec).padStart(7)} articles/s   p50 ${s.p50Ms.toFixed(3)} ms   p99 ${s.p99Ms.toFixed(3)} ms   max ${s.maxMs.toFixed(2)} ms`;
  process.stdout.write(
    [
      `bench classifier: ${n} classifications over ${articles.length} texts (${figures.meanChars} chars on average) from ${file}`,
      `${line('classifier', cls)}   (CPU time: p50 ${cpuStats.cpuP50Ms.toFixed(3)} ms, p99 ${cpuStats.cpuP99Ms.toFixed(3)} ms)`,
      line(`baseline`, base),
      `baseline / classifier: ${ratio}x (one alternation of ${figures.terms} terms)`,
      JSON.stringify(figures),
      '',
    ].join('\n'),
  );
};

main();
