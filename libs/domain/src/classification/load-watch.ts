import * as fs from 'node:fs';
import * as path from 'node:path';
import { type z } from 'zod';
import { JsonSyntaxError, lineOf, parseJsonWithLines, type JsonPath, type LocatedJson } from './json-locate';
import { calibrationFileSchema } from './calibration';
import { compileWatch, type Watch } from './compile-watch';
import {
  countriesFileSchema,
  officialsFileSchema,
  rulesFileSchema,
  watchManifestSchema,
  type WatchData,
} from './watch.schema';

export const watchFileNames = {
  manifest: 'watch.json',
  countries: 'countries.json',
  officials: 'officials.json',
  rules: 'rules.json',
} as const;
type FileKey = keyof typeof watchFileNames;
/** Files a watch may have: calibration.json, written by `npm run eval -- --fit-calibration --write`. */
export const optionalWatchFileNames = { calibration: 'calibration.json' } as const;

export type WatchIssue = { file: string; line: number; path: string; message: string };

/** A watch's data files are broken; every issue names the file, the line and the problem. */
export class WatchValidationError extends Error {
  readonly code = 'WATCH_INVALID';
  constructor(
    readonly dir: string,
    readonly issues: WatchIssue[],
  ) {
    super(
      `invalid watch in ${dir}:\n` +
        issues.map((i) => `  ${i.file}:${i.line}: ${i.path ? `${i.path}: ` : ''}${i.message}`).join('\n'),
    );
    this.name = 'WatchValidationError';
  }
}

/** File name -> JSON text. Lets tests and other hosts validate a watch without a disk. */
export type WatchSources = Record<(typeof watchFileNames)[FileKey], string> &
  Partial<Record<(typeof optionalWatchFileNames)['calibration'], string>>;

const schemas = {
  manifest: watchManifestSchema,
  countries: countriesFileSchema,
  officials: officialsFileSchema,
  rules: rulesFileSchema,
} as const;

const formatPath = (p: JsonPath): string =>
  p
    .map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`))
    .join('')
    .replace(/^\./, '');

/** Parses and validates the four files of a watch, then compiles its matchers once. */
export const parseWatch = (sources: WatchSources, dir = '<memory>'): Watch => {
  const issues: WatchIssue[] = [];
  const located: Partial<Record<FileKey, LocatedJson>> = {};
  const parsed: Partial<WatchData> = {};

  for (const key of Object.keys(watchFileNames) as FileKey[]) {
    const file = watchFileNames[key];
    const text = sources[file];
    if (text === undefined) {
      issues.push({ file, line: 1, path: '', message: 'file is missing' });
      continue;
    }
    let doc: LocatedJson;
    try {
      doc = parseJsonWithLines(text);
    } catch (e) {
      if (e instanceof JsonSyntaxError) {
        issues.push({
          file,
          line: e.line,
          path: '',
          message: `JSON syntax error: ${e.message} (column ${e.column})`,
        });
        continue;
      }
      throw e;
    }
    located[key] = doc;
    const result = (schemas[key] as z.ZodType).safeParse(doc.value);
    if (!result.success) {
      for (const issue of result.error.issues) {
        const p = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
        issues.push({ file, line: lineOf(doc, p), path: formatPath(p), message: issue.message });
      }
      continue;
    }
    (parsed as Record<string, unknown>)[key] = result.data;
  }

  const calibrationText = sources[optionalWatchFileNames.calibration];
  if (calibrationText !== undefined) {
    const file = optionalWatchFileNames.calibration;
    try {
      const doc = parseJsonWithLines(calibrationText);
      const result = calibrationFileSchema.safeParse(doc.value);
      if (result.success) parsed.calibration = result.data;
      else
        for (const issue of result.error.issues) {
          const p = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
          issues.push({ file, line: lineOf(doc, p), path: formatPath(p), message: issue.message });
        }
    } catch (e) {
      if (!(e instanceof JsonSyntaxError)) throw e;
      issues.push({
        file,
        line: e.line,
        path: '',
        message: `JSON syntax error: ${e.message} (column ${e.column})`,
      });
    }
  }

  if (issues.length === 0)
    issues.push(...crossFileIssues(parsed as WatchData, located as Record<FileKey, LocatedJson>));
  if (issues.length > 0) throw new WatchValidationError(dir, issues);
  return compileWatch(parsed as WatchData, dir);
};

/** Checks that span files: codes that must exist, terms claimed by two entities. */
const crossFileIssues = (data: WatchData, located: Record<FileKey, LocatedJson>): WatchIssue[] => {
  const issues: WatchIssue[] = [];
  const at = (key: FileKey, p: JsonPath, message: string): void => {
    issues.push({ file: watchFileNames[key], line: lineOf(located[key], p), path: formatPath(p), message });
  };
  const entities = new Map(data.countries.entities.map((e) => [e.code, e]));
  data.manifest.anchor.forEach((c, i) => {
    if (!entities.has(c)) at('manifest', ['anchor', i], `"${c}" is not defined in countries.json`);
  });
  data.manifest.region.forEach((c, i) => {
    if (!entities.has(c)) at('manifest', ['region', i], `"${c}" is not defined in countries.json`);
  });
  for (const [field, list] of [
    ['blocs', data.manifest.blocs],
    ['anchorLedBlocs', data.manifest.anchorLedBlocs],
  ] as const) {
    list.forEach((c, i) => {
      if (entities.get(c)?.kind !== 'bloc')
        at('manifest', [field, i], `"${c}" is not a bloc in countries.json`);
    });
  }
  const seenCodes = new Set<string>();
  const claimed = new Map<string, string>();
  data.countries.entities.forEach((e, i) => {
    if (seenCodes.has(e.code)) at('countries', ['entities', i, 'code'], `duplicate entity code "${e.code}"`);
    seenCodes.add(e.code);
    for (const field of ['names', 'demonyms', 'capitals', 'stateBodies', 'places'] as const) {
      e[field].forEach((t, j) => {
        const k = t.toLowerCase();
        const owner = claimed.get(k);
        if (owner !== undefined && owner !== e.code)
          at('countries', ['entities', i, field, j], `term "${t}" is already claimed by ${owner}`);
        claimed.set(k, e.code);
      });
    }
  });
  data.officials.officials.forEach((o, i) => {
    if (!entities.has(o.country))
      at('officials', ['officials', i, 'country'], `"${o.country}" is not defined in countries.json`);
  });
  const seenTypes = new Set<string>();
  data.rules.eventTypes.forEach((t, i) => {
    if (seenTypes.has(t.type))
      at('rules', ['eventTypes', i, 'type'], `event type "${t.type}" is defined twice`);
    seenTypes.add(t.type);
    t.triggers.forEach((tr, j) => {
      if (tr.terms.length + tr.caseSensitive.length + tr.patterns.length === 0)
        at('rules', ['eventTypes', i, 'triggers', j], `trigger "${tr.id}" has no terms or patterns`);
    });
  });
  return issues;
};

/** Reads a watch folder (watch.json, countries.json, officials.json, rules.json). */
export const loadWatch = (dir: string): Watch => {
  const sources = {} as WatchSources;
  for (const file of [...Object.values(watchFileNames), ...Object.values(optionalWatchFileNames)]) {
    const full = path.join(dir, file);
    if (fs.existsSync(full)) sources[file] = fs.readFileSync(full, 'utf8');
  }
  return parseWatch(sources, dir);
};

/**
 * tsc does not copy the JSON data into dist/, so the data is found from the repository root
 * (the nearest folder above this file with a package.json and libs/domain/watches), which is
 * the same from libs/domain/src (jest, ts source) and dist/libs/domain/src (compiled).
 */
export const findRepoRoot = (from: string = __dirname): string => {
  const isRoot = (dir: string): boolean =>
    fs.existsSync(path.join(dir, 'package.json')) &&
    fs.existsSync(path.join(dir, 'libs', 'domain', 'watches'));
  // From this file first; then from the working directory (a bundle or a copy outside the repo).
  for (const start of [from, process.cwd()]) {
    let dir = path.resolve(start);
    for (;;) {
      if (isRoot(dir)) return dir;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new Error(
    `no repository root (package.json + libs/domain/watches) above ${from} or ${process.cwd()}`,
  );
};

export const defaultWatchId = 'russia-sea';
export const watchesDir = (): string => path.join(findRepoRoot(), 'libs', 'domain', 'watches');
export const defaultWatchDir = (): string => path.join(watchesDir(), defaultWatchId);

let defaultWatch: Watch | undefined;
/** The Russia–Southeast Asia watch, loaded and compiled once per process. */
export const loadDefaultWatch = (): Watch => (defaultWatch ??= loadWatch(defaultWatchDir()));
