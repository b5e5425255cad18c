/*
 * Dates as feeds really write them. Returns an ISO 8601 UTC string, or null when the value is
 * missing or cannot be read: a feed date is never replaced by "now" here.
 *
 * Accepted:
 *  - ISO 8601 / RFC 3339 / W3C-DTF: 2003-12-13T18:30:02.25Z, a space instead of 'T', lower case
 *    't'/'z', offsets +05:30 / +0530 / +05, date-only 2003-12-13 (midnight UTC), no zone (UTC).
 *  - RFC 822 / 2822 and the ways feeds break it: no weekday, any weekday spelling, missing space
 *    after the comma, 2-digit years (RFC 2822: 00-49 -> 20xx, 50-99 -> 19xx), single-digit days,
 *    no seconds, HHMM without a colon, comments "(...)" (nested, with escapes), extra
 *    whitespace, mixed case, named zones (UT, GMT, US zones, a few others) and RFC 822 military
 *    zones (A-I = -1..-9, K-M = -10..-12, N-Y = +1..+12, Z = 0, as RFC 822 wrote them).
 *  - Month-first forms ("Feb 9, 2006 11:59 PM"), asctime, and month names in the languages feeds
 *    in this project's scope use (English, Portuguese, Spanish, French, German, Italian, Dutch,
 *    Indonesian/Malay, Russian, Greek).
 *  - Unix timestamps of 9-10 digits (seconds) or 12-13 digits (milliseconds).
 * Years outside 1000-9999 are refused (they do not fit the ISO form the contract requires).
 */
export function parseFeedDate(value: string | null | undefined): string | null {
  if (value == null) return null;
  const trimmed = value.trim();
  if (!trimmed || trimmed.length > 200) return null;
  return parseIso(trimmed) ?? parseTimestamp(trimmed) ?? parseRfc822(trimmed) ?? parseRfc822Like(trimmed);
}

// The form most RSS feeds write, exactly ("Sun, 01 Nov 2026 10:00:00 GMT"): read with one
// regular expression, as the tolerant tokenizer below would read it, at a fraction of the cost
// (it is parsed for every item of every changed feed). Anything else goes to the tokenizer.
const RFC822 =
  /^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2})(?::(\d{2}))? (GMT|UT|UTC|Z|[+-]\d{4})$/;
const RFC822_MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';

function parseRfc822(value: string): string | null {
  const m = RFC822.exec(value);
  if (!m) return null;
  const zone = m[7]!;
  const offset =
    zone[0] === '+' || zone[0] === '-'
      ? sign(zone[0]) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3)))
      : 0;
  const month = RFC822_MONTHS.indexOf(m[2]!) / 3 + 1;
  return build(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0), 0, offset);
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ]+(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(?:([Zz]|UTC|GMT)|([+-])(\d{2})(?::?(\d{2}))?)?$/;
const ISO_BASIC = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?)?\s*(?:([Zz])|([+-])(\d{2})(\d{2})?)?$/;

function parseIso(value: string): string | null {
  const m = ISO.exec(value);
  if (m) {
    const offset = m[9] ? sign(m[9]) * (Number(m[10]) * 60 + Number(m[11] ?? 0)) : 0;
    const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
    return build(
      Number(m[1]),
      Number(m[2]),
      Number(m[3]),
      Number(m[4] ?? 0),
      Number(m[5] ?? 0),
      Number(m[6] ?? 0),
      ms,
      offset,
    );
  }
  const b = ISO_BASIC.exec(value);
  if (b) {
    const offset = b[8] ? sign(b[8]) * (Number(b[9]) * 60 + Number(b[10] ?? 0)) : 0;
    return build(
      Number(b[1]),
      Number(b[2]),
      Number(b[3]),
      Number(b[4] ?? 0),
      Number(b[5] ?? 0),
      Number(b[6] ?? 0),
      0,
      offset,
    );
  }
  return null;
}

function parseTimestamp(value: string): string | null {
  if (!/^\d{9,10}$|^\d{12,13}$/.test(value)) return null;
  const ms = value.length >= 12 ? Number(value) : Number(value) * 1000;
  return new Date(ms).toISOString();
}

function sign(s: string): number {
  return s === '-' ? -1 : 1;
}

/** Builds the instant, validating every field; offset is minutes east of UTC. */
function build(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms: number,
  offsetMinutes: number,
): string | null {
  if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month))
    return null;
  if (hour === 24 && minute === 0 && second === 0)
    hour = 24; // 24:00 is the end of the day, allowed by ISO 8601
  else if (hour > 23) return null;
  if (minute > 59 || second > 60 || Math.abs(offsetMinutes) > 18 * 60) return null;
  if (second === 60) second = 59; // leap second: JavaScript has none
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000;
  const date = new Date(utc);
  if (Number.isNaN(date.getTime())) return null;
  const iso = date.toISOString();
  return /^\d{4}-/.test(iso) ? iso : null;
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Month-name prefixes, accents removed, in English, Portuguese, Spanish, French, German, Dutch,
 * Italian, Indonesian/Malay, Russian (nominative and genitive) and Greek.
 */
// prettier-ignore
const MONTH_NAMES: readonly string[] = [
  'jan ene gen janv янв ιαν',
  'feb fev fevr фев φεβ',
  'mar marz mrz mrt мар μαρ',
  'apr abr avr апр απρ',
  'may mai mag mei май мая μαι μαϊ',
  'jun juin giu июн ιουν',
  'jul juil lug julai июл ιουλ',
  'aug ago aout agu ags ogo авг αυγ',
  'sep set сен σεπ',
  'oct out okt ott окт οκτ',
  'nov ноя νοε',
  'dec dez dic des dis дек δεκ',
];
/** [prefix, month] pairs, longest prefix first so that "juil" wins over "jul". */
const MONTH_PREFIXES: [string, number][] = MONTH_NAMES.flatMap((names, index) =>
  names.split(' ').map((prefix): [string, number] => [prefix, index + 1]),
).sort((a, b) => b[0].length - a[0].length);

/** Offsets in minutes east of UTC. US zones as RFC 822 defines them; a few common others. */
// prettier-ignore
const ZONES: Record<string, number> = {
  ut: 0, utc: 0, gmt: 0, z: 0, wet: 0,
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
  akst: -540, akdt: -480, hst: -600, ast: -240, adt: -180, nst: -210, ndt: -150,
  bst: 60, ist: 330, cet: 60, cest: 120, met: 60, mest: 120, eet: 120, eest: 180, west: 60,
  msk: 180, msd: 240, jst: 540, kst: 540, hkt: 480, sgt: 480, myt: 480, pht: 480, wib: 420, wita: 480, wit: 540,
  ict: 420, aest: 600, aedt: 660, acst: 570, acdt: 630, awst: 480, nzst: 720, nzdt: 780,
};

function militaryZone(letter: string): number | null {
  const c = letter.toLowerCase();
  if (c === 'z') return 0;
  if (c >= 'a' && c <= 'i') return -60 * (c.charCodeAt(0) - 96);
  if (c >= 'k' && c <= 'm') return -60 * (c.charCodeAt(0) - 97);
  if (c >= 'n' && c <= 'y') return 60 * (c.charCodeAt(0) - 109);
  return null;
}

function fold(token: string): string {
  return token.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

function monthOf(token: string): number | null {
  const folded = fold(token).replace(/\.$/, '');
  if (folded.length < 3) return null;
  for (const [prefix, month] of MONTH_PREFIXES) if (folded.startsWith(prefix)) return month;
  return null;
}

/** Removes RFC 822 comments: "(...)", nested, with backslash escapes. */
function stripComments(value: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (depth > 0 && ch === '\\') {
      i++;
      continue;
    }
    if (ch === '(') {
      depth++;
      continue;
    }
    if (ch === ')' && depth > 0) {
      depth--;
      if (depth === 0) out += ' ';
      continue;
    }
    if (depth === 0) out += ch;
  }
  return out;
}

function parseRfc822Like(value: string): string | null {
  const tokens = stripComments(value).replace(/,/g, ' ').split(/\s+/).filter(Boolean);
  let day: number | null = null;
  let month: number | null = null;
  let year: number | null = null;
  let time: [number, number, number] | null = null;
  let offset: number | null = null;
  const smallNumbers: string[] = [];
  // Spanish, French and Italian abbreviate Tuesday as "mar": a month name in first position is
  // a weekday when another month name follows.
  const monthCandidates: { index: number; month: number }[] = [];
  let meridiem: 'am' | 'pm' | null = null;

  for (let i = 0; i < tokens.length; i++) {
    let token = tokens[i]!.replace(/^(\d{1,2})(?:st|nd|rd|th)$/i, '$1');
    // "GMT+0200", "UTC-05:00"
    const gmtOffset = /^(?:gmt|utc)([+-]\d{1,2}(?::?\d{2})?)$/i.exec(token);
    if (gmtOffset) token = gmtOffset[1]!;
    // "23:59:45+0000" glued together
    const glued = /^(\d{1,2}:\d{2}(?::\d{2})?)([+-]\d{2}:?\d{2}|z)$/i.exec(token);
    if (glued) {
      tokens.splice(i + 1, 0, glued[2]!);
      token = glued[1]!;
    }
    const timeMatch = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/.exec(token);
    if (timeMatch && !time) {
      time = [Number(timeMatch[1]), Number(timeMatch[2]), Number(timeMatch[3] ?? 0)];
      continue;
    }
    const offsetMatch = /^([+-])(\d{2}):?(\d{2})$|^([+-])(\d{1,2})$/.exec(token);
    if (offsetMatch && offset === null && (time || year !== null)) {
      offset = offsetMatch[1]
        ? sign(offsetMatch[1]) * (Number(offsetMatch[2]) * 60 + Number(offsetMatch[3]))
        : sign(offsetMatch[4]!) * Number(offsetMatch[5]) * 60;
      continue;
    }
    if (/^\d+$/.test(token)) {
      if (token.length === 4 && year === null && (smallNumbers.length > 0 || monthCandidates.length > 0)) {
        // "1500" right after a 2-digit year is HHMM (RFC 822 allows no colon in old feeds).
        if (time === null && smallNumbers.length >= 2) {
          const hh = Number(token.slice(0, 2));
          const mm = Number(token.slice(2));
          if (hh <= 23 && mm <= 59) {
            time = [hh, mm, 0];
            continue;
          }
        }
        year = Number(token);
        continue;
      }
      if (token.length === 4 && year !== null && time === null) {
        const hh = Number(token.slice(0, 2));
        const mm = Number(token.slice(2));
        if (hh <= 23 && mm <= 59) time = [hh, mm, 0];
        continue;
      }
      if (token.length <= 2) {
        smallNumbers.push(token);
        continue;
      }
      if (token.length === 4 && year === null) {
        year = Number(token);
        continue;
      }
      return null;
    }
    const m = monthOf(token);
    if (m !== null) {
      monthCandidates.push({ index: i, month: m });
      continue;
    }
    const letters = token.toLowerCase().replace(/\.$/, '');
    if (/^[ap]\.?m$/.test(letters) && time) {
      meridiem = letters[0] === 'p' ? 'pm' : 'am';
      continue;
    }
    if (offset === null && time !== null && ZONES[letters] !== undefined) {
      offset = ZONES[letters];
      continue;
    }
    if (offset === null && time !== null && /^[a-z]$/i.test(letters)) {
      offset = militaryZone(letters);
      continue;
    }
    // Anything else (weekday names in any language, "at", "de") is ignored.
  }

  const chosenMonth =
    monthCandidates.find((c) => c.index > 0 || monthCandidates.length === 1) ?? monthCandidates[0];
  if (!chosenMonth) return null;
  month = chosenMonth.month;
  // Small numbers in order: day, then (if no 4-digit year) a 2-digit year.
  if (smallNumbers.length > 0) day = Number(smallNumbers[0]);
  if (year === null && smallNumbers.length > 1) {
    const yy = Number(smallNumbers[1]);
    year = yy < 50 ? 2000 + yy : 1900 + yy;
  }
  if (day === null || year === null) return null;
  const [clockHour, minute, second] = time ?? [0, 0, 0];
  if (meridiem !== null && (clockHour < 1 || clockHour > 12)) return null;
  const hour = meridiem === null ? clockHour : (clockHour % 12) + (meridiem === 'pm' ? 12 : 0);
  return build(year, month, day, hour, minute, second, 0, offset ?? 0);
}
