// One scan for every gazetteer of a watch. Terms (country names, officials, triggers, topics,
// negative rules…) are split into tokens and stored in one trie; a sentence is tokenised once
// and walked through the trie from every token, which finds every term at every position, of
// every category, in a single pass. A regular-expression alternation can only report one match
// per position (the combined one would lose "defense" inside "security and defense"), and one
// alternation per category meant ~25 passes over every sentence.

/** A term found in a text: character offsets, the matched text and what the term stands for. */
export type Match<T> = { start: number; end: number; text: string; value: T };

export type Tokens = {
  /** Character offsets of each token in the text. */
  starts: number[];
  ends: number[];
  /** Lower-cased, dashes and quotes unified: the key for case-insensitive terms. */
  folded: string[];
};

const isAsciiWord = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
const LETTER_OR_DIGIT = /[\p{L}\p{N}\p{M}]/u;
const nonAsciiWord = new Map<number, boolean>();
const isWord = (c: number): boolean => {
  if (c < 128) return isAsciiWord(c);
  let w = nonAsciiWord.get(c);
  if (w === undefined) {
    w = LETTER_OR_DIGIT.test(String.fromCharCode(c));
    nonAsciiWord.set(c, w);
  }
  return w;
};
const isSpace = (c: number): boolean =>
  c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x2009 || c === 0x202f || c === 0x200b;

// News text spells the same dash and apostrophe several ways; terms are written with ASCII.
const foldPunct = (ch: string): string => {
  switch (ch) {
    case '‐':
    case '‑':
    case '–':
      return '-';
    case '’':
    case '‘':
    case '`':
      return "'";
    case '“':
    case '”':
      return '"';
    default:
      return ch;
  }
};

/** Words (runs of letters and digits) and single punctuation marks; whitespace separates. */
export const tokenize = (text: string): Tokens => {
  const starts: number[] = [];
  const ends: number[] = [];
  const folded: string[] = [];
  // Lower-casing the whole text at once is far cheaper than token by token; the offsets stay
  // valid because no character here changes length when lower-cased (checked below).
  let lower = text.toLowerCase();
  if (lower.length !== text.length) lower = text;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = lower.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (isWord(c)) {
      let j = i + 1;
      while (j < n && isWord(lower.charCodeAt(j))) j++;
      starts.push(i);
      ends.push(j);
      folded.push(lower === text ? text.slice(i, j).toLowerCase() : lower.slice(i, j));
      i = j;
      continue;
    }
    starts.push(i);
    ends.push(i + 1);
    folded.push(foldPunct(text[i]!));
    i++;
  }
  return { starts, ends, folded };
};

/** A token as written (for case-sensitive terms), dashes and quotes unified. */
const exactToken = (text: string, tokens: Tokens, k: number): string => {
  const s = tokens.starts[k]!;
  const e = tokens.ends[k]!;
  return e - s === 1 ? foldPunct(text[s]!) : text.slice(s, e);
};

type Node<T> = {
  next: Map<string, Node<T>> | null;
  values: T[] | null;
  /**
   * Wildcard terms ("visit*") ending at this depth: any token starting with the prefix, filed
   * by the prefix's first character so that a token only tries the few that can match.
   */
  wild: Map<string, { prefix: string; values: T[] }[]> | null;
};
const node = <T>(): Node<T> => ({ next: null, values: null, wild: null });

/** The tokens of a term as written in a watch: trailing `*` marks a wildcard last word. */
const termTokens = (term: string, caseSensitive: boolean): { keys: string[]; wildcard: boolean } => {
  const wildcard = term.endsWith('*');
  const body = wildcard ? term.slice(0, -1) : term;
  const text = body.trim();
  const t = tokenize(text);
  return {
    keys: caseSensitive ? t.folded.map((_, k) => exactToken(text, t, k)) : t.folded,
    wildcard,
  };
};

/**
 * All terms of all categories. `V` is what a term stands for (a category and its payload);
 * a term listed under several categories keeps every value.
 */
export class TermIndex<V> {
  private readonly folded: Node<V> = node();
  private readonly exact: Node<V> = node();
  /** The first words of the case-sensitive terms, lower-cased. */
  private readonly exactFolded = new Set<string>();
  private size = 0;

  add(term: string, value: V, caseSensitive = false): void {
    const { keys, wildcard } = termTokens(term, caseSensitive);
    if (keys.length === 0) return;
    if (caseSensitive) this.exactFolded.add(keys[0]!.toLowerCase());
    let at = caseSensitive ? this.exact : this.folded;
    const last = keys.length - 1;
    for (let k = 0; k < last; k++) {
      at.next ??= new Map();
      let nx = at.next.get(keys[k]!);
      if (!nx) {
        nx = node();
        at.next.set(keys[k]!, nx);
      }
      at = nx;
    }
    if (wildcard) {
      at.wild ??= new Map();
      const prefix = keys[last]!;
      let list = at.wild.get(prefix[0]!);
      if (!list) at.wild.set(prefix[0]!, (list = []));
      let w = list.find((x) => x.prefix === prefix);
      if (!w) list.push((w = { prefix, values: [] }));
      w.values.push(value);
    } else {
      at.next ??= new Map();
      let nx = at.next.get(keys[last]!);
      if (!nx) {
        nx = node();
        at.next.set(keys[last]!, nx);
      }
      (nx.values ??= []).push(value);
    }
    this.size++;
  }

  get termCount(): number {
    return this.size;
  }

  /** Every term occurrence, overlapping ones included, in order of start. */
  scan(text: string, tokens: Tokens = tokenize(text)): Match<V>[] {
    const out: Match<V>[] = [];
    const n = tokens.starts.length;
    const folded = tokens.folded;
    const first = this.folded.next;
    const exactFirst = this.exact.next;
    for (let i = 0; i < n; i++) {
      // Most words start no term: one lookup, no walk.
      const key = folded[i]!;
      if ((first !== null && first.has(key)) || this.folded.wild?.has(key[0]!))
        this.walk(this.folded, folded, null, i, n, text, tokens, out);
      // Case-sensitive terms are few: only tokens that start one, folded, are looked up as written.
      if (exactFirst !== null && this.exactFolded.has(key))
        this.walk(this.exact, null, text, i, n, text, tokens, out);
    }
    return out;
  }

  private walk(
    root: Node<V>,
    keys: string[] | null,
    raw: string | null,
    from: number,
    n: number,
    text: string,
    tokens: Tokens,
    out: Match<V>[],
  ): void {
    let at = root;
    for (let j = from; j < n; j++) {
      const key = keys !== null ? keys[j]! : exactToken(raw!, tokens, j);
      const wild = at.wild?.get(key[0]!);
      if (wild !== undefined) {
        for (const w of wild) if (key.startsWith(w.prefix)) this.emit(w.values, from, j, text, tokens, out);
      }
      const nx = at.next?.get(key);
      if (nx === undefined) return;
      if (nx.values !== null) this.emit(nx.values, from, j, text, tokens, out);
      at = nx;
    }
  }

  private emit(values: V[], from: number, to: number, text: string, tokens: Tokens, out: Match<V>[]): void {
    const start = tokens.starts[from]!;
    const end = tokens.ends[to]!;
    const matched = text.slice(start, end);
    for (const value of values) out.push({ start, end, text: matched, value });
  }
}

/**
 * The leftmost-longest reading of one category's matches: at each position the longest term
 * wins and kept matches never overlap (what one alternation per category used to give).
 */
export const longestFirst = <T>(matches: Match<T>[]): Match<T>[] => {
  if (matches.length < 2) return matches;
  const sorted = [...matches].sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Match<T>[] = [];
  let lastEnd = -1;
  for (const m of sorted) {
    if (m.start >= lastEnd) {
      kept.push(m);
      lastEnd = m.end;
    }
  }
  return kept;
};

/** Raw patterns (flag `iu`) of one category, run on a text with their values. */
export class PatternSet<V> {
  private readonly items: { re: RegExp; value: V }[] = [];

  add(source: string, value: V): void {
    // Patterns are matched on word boundaries, like terms.
    // Multi-line: the classifier scans a whole article at once, one paragraph per line, so `^`
    // and `$` mark the ends of a paragraph (the title is a line of its own).
    const re = new RegExp(`(?<![\\p{L}\\p{N}_])(?:${source})(?![\\p{L}\\p{N}_])`, 'gimu');
    this.items.push({ re, value });
  }

  get isEmpty(): boolean {
    return this.items.length === 0;
  }

  scan(text: string, out: Match<V>[] = []): Match<V>[] {
    for (const { re, value } of this.items) {
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        if (m[0].length === 0) {
          re.lastIndex++;
          continue;
        }
        out.push({ start: m.index, end: m.index + m[0].length, text: m[0], value });
      }
    }
    return out;
  }
}
