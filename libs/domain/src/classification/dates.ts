// Dates in news text are mostly partial ("February 24-28", "on Thursday"): they are resolved
// against the publication date, which is passed in (the core never reads the clock).

/**
 * A date or range found in a sentence. `precision` says how much the text gave: a day ("on
 * February 24", "February 24-28", "on Monday"), a month ("in September", "last March") or a
 * year ("in 2023", "last year"), or a week ("last week"); start and end span what was given.
 */
export type ResolvedDate = {
  start: string;
  end: string;
  text: string;
  index: number;
  precision: 'day' | 'week' | 'month' | 'year';
};

// prettier-ignore
const MONTHS: Record<string, number> = {
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5, jun: 6, june: 6,
  jul: 7, july: 7, aug: 8, august: 8, sep: 9, sept: 9, september: 9, oct: 10, october: 10, nov: 11,
  november: 11, dec: 12, december: 12,
};
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

const M =
  '(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\\.?';
const D = '(\\d{1,2})(?:st|nd|rd|th)?';
const Y = '(?:,?\\s+(\\d{4}))?';
const DASH = '\\s*(?:[-–—]|to|until|through|and)\\s*';

// Month D – [Month] D [, YYYY]
const MONTH_FIRST = new RegExp(`\\b${M}\\s+${D}(?:${DASH}(?:${M}\\s+)?${D})?${Y}\\b`, 'gi');
// D [– D] Month [YYYY]
const DAY_FIRST = new RegExp(`\\b${D}(?:${DASH}${D})?\\s+${M}(?:\\s+(\\d{4}))?\\b`, 'gi');
const WEEKDAY = /\b(last|next|this|on)?\s*(Sunday|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday)\b/gi;
// A month alone, after a word that makes it a time ("in September", "last March", "early May
// 2024"); "May" without one is a verb. A day after the month belongs to MONTH_FIRST.
const MONTH_ALONE = new RegExp(
  `\\b(in|last|early|late|mid-?|during|since|by|until|this|next|from)\\s+(?:(?:early|late|mid-?)\\s*)?${M}(?:\\s+(\\d{4}))?\\b(?!\\s*\\d)`,
  'gi',
);
// A year alone ("in 2023", "since early 2022").
const YEAR_ALONE =
  /\b(?:in|during|since|by|until|from|early|late|mid-?)\s+(?:(?:early|late|mid-?)\s*)?((?:19|20)\d{2})\b(?!\s*[-–/]\d)/gi;
// Spans counted back from the publication date.
const RELATIVE = /\b(last|earlier\s+this|earlier\s+in\s+the)\s+(year|month|week)\b/gi;
const FUTURE = /\b(will|to be|is to|are to|is due|next|upcoming|plans? to|scheduled)\b/i;

const lastDayOf = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();
const pad = (n: number): string => String(n).padStart(2, '0');
const iso = (y: number, m: number, d: number): string => `${y}-${pad(m)}-${pad(d)}`;
const valid = (y: number, m: number, d: number): boolean => {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
};
const dayMs = 86_400_000;
const toMs = (s: string): number => Date.parse(`${s}T00:00:00Z`);
const fromMs = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The publication date as YYYY-MM-DD, or null. */
export const publicationDay = (publishedAt: string | null): string | null => {
  if (!publishedAt) return null;
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(publishedAt);
  if (m) return m[1]!;
  const t = Date.parse(publishedAt);
  return Number.isNaN(t) ? null : fromMs(t);
};

/** The year that puts month/day closest to the publication date. */
const inferYear = (m: number, d: number, pub: string | null): number | null => {
  if (!pub) return null;
  const py = Number(pub.slice(0, 4));
  let best: number | null = null;
  let bestGap = Infinity;
  for (const y of [py - 1, py, py + 1]) {
    if (!valid(y, m, d)) continue;
    const gap = Math.abs(toMs(iso(y, m, d)) - toMs(pub));
    if (gap < bestGap) {
      bestGap = gap;
      best = y;
    }
  }
  return best;
};

const monthOf = (s: string | undefined): number | undefined =>
  s ? MONTHS[s.toLowerCase().replace('.', '')] : undefined;

const range = (
  m1: number,
  d1: number,
  m2: number,
  d2: number,
  year: number | null,
  pub: string | null,
): { start: string; end: string } | null => {
  const y1 = year ?? inferYear(m1, d1, pub);
  if (y1 === null || !valid(y1, m1, d1)) return null;
  // "December 30 – January 2" crosses a year.
  const y2 = m2 < m1 ? y1 + 1 : y1;
  if (!valid(y2, m2, d2)) return null;
  const start = iso(y1, m1, d1);
  const end = iso(y2, m2, d2);
  return end < start ? null : { start, end };
};

/** Every date or date range in a sentence, resolved against the publication date. */
export const resolveDates = (sentence: string, publishedAt: string | null): ResolvedDate[] => {
  const pub = publicationDay(publishedAt);
  const out: ResolvedDate[] = [];
  const taken: [number, number][] = [];
  const free = (a: number, b: number): boolean => taken.every(([s, e]) => b <= s || a >= e);
  const push = (
    r: { start: string; end: string } | null,
    text: string,
    index: number,
    precision: ResolvedDate['precision'] = 'day',
  ): void => {
    if (!r || !free(index, index + text.length)) return;
    taken.push([index, index + text.length]);
    out.push({ ...r, text, index, precision });
  };

  for (const m of sentence.matchAll(MONTH_FIRST)) {
    const m1 = monthOf(m[1])!;
    const d1 = Number(m[2]);
    const m2 = monthOf(m[3]) ?? m1;
    const d2 = m[4] ? Number(m[4]) : d1;
    push(range(m1, d1, m2, d2, m[5] ? Number(m[5]) : null, pub), m[0], m.index);
  }
  for (const m of sentence.matchAll(DAY_FIRST)) {
    const d1 = Number(m[1]);
    const d2 = m[2] ? Number(m[2]) : d1;
    const mo = monthOf(m[3])!;
    push(range(mo, d1, mo, d2, m[4] ? Number(m[4]) : null, pub), m[0], m.index);
  }
  if (pub) {
    for (const m of sentence.matchAll(WEEKDAY)) {
      const target = WEEKDAYS.indexOf(m[2]!.toLowerCase());
      const pubDow = new Date(toMs(pub)).getUTCDay();
      const mod = m[1]?.toLowerCase();
      const forward = mod === 'next' || (mod !== 'last' && FUTURE.test(sentence));
      const delta = forward ? (target - pubDow + 7) % 7 : -((pubDow - target + 7) % 7);
      const day = fromMs(toMs(pub) + delta * dayMs);
      push({ start: day, end: day }, m[0].trim(), m.index + (m[0].length - m[0].trimStart().length));
    }
  }
  // Coarser dates last: where a day was given, it wins over the month around it.
  for (const m of sentence.matchAll(MONTH_ALONE)) {
    const mo = monthOf(m[2])!;
    const lead = m[1]!.toLowerCase();
    let year = m[3] ? Number(m[3]) : null;
    if (year === null && pub) {
      const [py, pm] = [Number(pub.slice(0, 4)), Number(pub.slice(5, 7))];
      if (lead === 'last') year = mo < pm ? py : py - 1;
      else if (lead === 'next') year = mo > pm ? py : py + 1;
      else if (lead === 'this') year = py;
      else year = inferYear(mo, 15, pub);
    }
    if (year === null) continue;
    push({ start: iso(year, mo, 1), end: iso(year, mo, lastDayOf(year, mo)) }, m[0], m.index, 'month');
  }
  for (const m of sentence.matchAll(YEAR_ALONE)) {
    const y = Number(m[1]);
    push({ start: iso(y, 1, 1), end: iso(y, 12, 31) }, m[0], m.index, 'year');
  }
  if (pub) {
    const [py, pm] = [Number(pub.slice(0, 4)), Number(pub.slice(5, 7))];
    for (const m of sentence.matchAll(RELATIVE)) {
      const last = m[1]!.toLowerCase() === 'last';
      const unit = m[2]!.toLowerCase();
      let r: { start: string; end: string };
      if (unit === 'year')
        r = last
          ? { start: iso(py - 1, 1, 1), end: iso(py - 1, 12, 31) }
          : { start: iso(py, 1, 1), end: pub };
      else if (unit === 'month') {
        const [y, mo] = pm === 1 ? [py - 1, 12] : [py, pm - 1];
        r = last
          ? { start: iso(y, mo, 1), end: iso(y, mo, lastDayOf(y, mo)) }
          : { start: iso(py, pm, 1), end: pub };
      } else {
        // The ISO week before the publication's (Monday to Sunday).
        const dow = (new Date(toMs(pub)).getUTCDay() + 6) % 7;
        const monday = toMs(pub) - (dow + 7) * dayMs;
        r = last
          ? { start: fromMs(monday), end: fromMs(monday + 6 * dayMs) }
          : { start: fromMs(monday + 7 * dayMs), end: pub };
      }
      push(r, m[0], m.index, unit === 'year' ? 'year' : unit === 'month' ? 'month' : 'week');
    }
  }
  return out.sort((a, b) => a.index - b.index);
};

/** ISO week label (e.g. 2025-W09) of a day: the merge bucket when the text gives no date. */
export const isoWeek = (day: string): string => {
  const t = new Date(toMs(day));
  const dow = (t.getUTCDay() + 6) % 7; // Monday = 0
  const thursday = new Date(t.getTime() + (3 - dow) * dayMs);
  const year = thursday.getUTCFullYear();
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const firstThursday = jan4.getTime() + (3 - ((jan4.getUTCDay() + 6) % 7)) * dayMs;
  const week = 1 + Math.round((thursday.getTime() - firstThursday) / dayMs / 7);
  return `${year}-W${pad(week)}`;
};
