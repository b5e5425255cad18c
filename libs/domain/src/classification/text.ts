import type { Watch } from './compile-watch';

export type SentenceZone = 'title' | 'lead' | 'body';

export type Sentence = {
  /** 0 is the title. */
  index: number;
  text: string;
  zone: SentenceZone;
  /** Position among readable body sentences (lead = 0); -1 for the title and for skipped ones. */
  bodyIndex: number;
  /** Photo captions, credits, bylines, headline lists: published text, but never evidence. */
  skipped: 'caption' | 'fragment' | null;
};

// Abbreviations that end with a period but do not end a sentence.
const ABBREV =
  /(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Lt|Col|Maj|Capt|Adm|Sgt|Sen|Rep|Gov|Pres|St|Jr|Sr|No|Nos|Vol|vs|etc|Inc|Ltd|Co|Corp|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|U\.S|U\.N|U\.K|E\.U|a\.m|p\.m)|\b[A-Z])\.$/;

export const splitSentences = (line: string): string[] => {
  const out: string[] = [];
  const re = /[.!?]+["”’')\]]*\s+(?=["“‘'(]?[A-Z0-9])/g;
  let start = 0;
  for (const m of line.matchAll(re)) {
    const end = m.index + m[0].trimEnd().length;
    const candidate = line.slice(start, end);
    if (ABBREV.test(candidate.replace(/["”’')\]]+$/, ''))) continue;
    out.push(candidate.trim());
    start = m.index + m[0].length;
  }
  const rest = line.slice(start).trim();
  if (rest) out.push(rest);
  return out;
};

// "SINGAPORE - ", "ASTANA, Kazakhstan - ", "MOSCOW (Reuters) - ": a dateline names where the
// story was filed, not who acts in it.
const DATELINE = /^[A-Z]{3,}[A-Za-z .,']{0,40}?(?:\s*\([A-Za-z .]+\))?\s[-–—]{1,2}\s/;
// Jakarta Globe bodies open with "Jakarta. ".
const DOT_DATELINE = /^[A-Z][a-z]+(?: [A-Z][a-z]+)?\.\s+(?=[A-Z])/;

const wordCount = (s: string): number => s.split(/\s+/).filter(Boolean).length;

export const toSentences = (title: string, text: string, watch: Watch): Sentence[] => {
  const sentences: Sentence[] = [
    { index: 0, text: title.trim(), zone: 'title', bodyIndex: -1, skipped: null },
  ];
  const titleNorm = normalize(title);
  if (normalize(text) === titleNorm) return sentences;

  let bodyIndex = 0;
  let firstLine = true;
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    for (const re of watch.boilerplate) line = line.replace(re, '').trim();
    if (!line) continue;
    const isCaption = watch.captions.some((re) => re.test(line));
    line = line.replace(DATELINE, '');
    if (firstLine) line = line.replace(DOT_DATELINE, '');
    firstLine = false;
    const terminal = /[.!?]["”’')\]]*$/.test(line);
    for (const s of splitSentences(line)) {
      if (normalize(s) === titleNorm) continue;
      let skipped: Sentence['skipped'] = null;
      if (isCaption) skipped = 'caption';
      else if (wordCount(s) < 4 || (!terminal && wordCount(line) < 8)) skipped = 'fragment';
      sentences.push({
        index: sentences.length,
        text: s,
        zone: skipped === null && bodyIndex === 0 ? 'lead' : 'body',
        bodyIndex: skipped === null ? bodyIndex++ : -1,
        skipped,
      });
    }
  }
  return sentences;
};

const normalize = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
