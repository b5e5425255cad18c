import type { Watch } from './compile-watch';

export type SentenceZone = 'title' | 'lead' | 'body';

export type Sentence = {
  /** 0 is the title. */
  index: number;
  text: string;
  /** Offset of `text` in the article text it was cut from (`ArticleText.text`). */
  start: number;
  zone: SentenceZone;
  /** Position among readable body sentences (lead = 0); -1 for the title and for skipped ones. */
  bodyIndex: number;
  /** Photo captions, credits, bylines, headline lists: published text, but never evidence. */
  skipped: 'caption' | 'fragment' | null;
};

/**
 * The title and the body as read: boilerplate and datelines dropped, one line per paragraph,
 * the title on the first line. Every sentence is a slice of `text`, so the whole article can be
 * scanned once and the matches handed to the sentences by offset.
 */
export type ArticleText = { text: string; sentences: Sentence[] };

// Abbreviations that end with a period but do not end a sentence.
const ABBREV =
  /(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Lt|Col|Maj|Capt|Adm|Sgt|Sen|Rep|Gov|Pres|St|Jr|Sr|No|Nos|Vol|vs|etc|Inc|Ltd|Co|Corp|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|U\.S|U\.N|U\.K|E\.U|a\.m|p\.m)|\b[A-Z])\.$/;
const BOUNDARY = /[.!?]+["”’')\]]*\s+(?=["“‘'(]?[A-Z0-9])/g;
const CLOSERS = /["”’')\]]+$/;

const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13) || c === 0xa0;

/** Sentences of one line as [start, end) offsets, trimmed. */
export const sentenceSpans = (line: string): [number, number][] => {
  const out: [number, number][] = [];
  const push = (a: number, b: number): void => {
    while (a < b && isSpace(line.charCodeAt(a))) a++;
    while (b > a && isSpace(line.charCodeAt(b - 1))) b--;
    if (b > a) out.push([a, b]);
  };
  BOUNDARY.lastIndex = 0;
  let start = 0;
  for (let m = BOUNDARY.exec(line); m !== null; m = BOUNDARY.exec(line)) {
    const end = m.index + m[0].trimEnd().length;
    if (ABBREV.test(line.slice(start, end).replace(CLOSERS, ''))) continue;
    push(start, end);
    start = m.index + m[0].length;
  }
  push(start, line.length);
  return out;
};

export const splitSentences = (line: string): string[] =>
  sentenceSpans(line).map(([a, b]) => line.slice(a, b));

// "SINGAPORE - ", "ASTANA, Kazakhstan - ", "MOSCOW (Reuters) - ": a dateline names where the
// story was filed, not who acts in it.
const DATELINE = /^[A-Z]{3,}[A-Za-z .,']{0,40}?(?:\s*\([A-Za-z .]+\))?\s[-–—]{1,2}\s/;
// Jakarta Globe bodies open with "Jakarta. ".
const DOT_DATELINE = /^[A-Z][a-z]+(?: [A-Z][a-z]+)?\.\s+(?=[A-Z])/;
const TERMINAL = /[.!?]["”’')\]]*$/;

const wordCount = (s: string): number => {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const space = isSpace(s.charCodeAt(i));
    if (!space && !inWord) n++;
    inWord = !space;
  }
  return n;
};

export const toSentences = (title: string, text: string, watch: Watch): ArticleText => {
  // The title is the first line of the article text, so it may not contain a line break.
  const head = title.replace(/[\r\n]+/g, ' ').trim();
  const sentences: Sentence[] = [
    { index: 0, text: head, start: 0, zone: 'title', bodyIndex: -1, skipped: null },
  ];
  const titleNorm = normalize(head);
  // Normalising is only worth it for a text about as long as the title (a repeated headline).
  const sameAsTitle = (s: string): boolean =>
    Math.abs(s.length - head.length) <= 8 + head.length / 5 && normalize(s) === titleNorm;
  if (sameAsTitle(text)) return { text: head, sentences };

  const parts = [head];
  let offset = head.length + 1;
  let bodyIndex = 0;
  let firstLine = true;
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (watch.boilerplate !== null) line = line.replace(watch.boilerplate, '').trim();
    if (!line) continue;
    const isCaption = watch.captions !== null && watch.captions.test(line);
    line = line.replace(DATELINE, '');
    if (firstLine) line = line.replace(DOT_DATELINE, '');
    firstLine = false;
    const terminal = TERMINAL.test(line);
    const shortLine = !terminal && wordCount(line) < 8;
    for (const [a, b] of sentenceSpans(line)) {
      const s = line.slice(a, b);
      if (sameAsTitle(s)) continue;
      let skipped: Sentence['skipped'] = null;
      if (isCaption) skipped = 'caption';
      else if (shortLine || wordCount(s) < 4) skipped = 'fragment';
      sentences.push({
        index: sentences.length,
        text: s,
        start: offset + a,
        zone: skipped === null && bodyIndex === 0 ? 'lead' : 'body',
        bodyIndex: skipped === null ? bodyIndex++ : -1,
        skipped,
      });
    }
    parts.push(line);
    offset += line.length + 1;
  }
  return { text: parts.join('\n'), sentences };
};

const normalize = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
