// A small JSON parser that remembers the line of every value, so that a watch file error can
// say "officials.json line 42" instead of just "officials[3].offices[0].from".

export type JsonPath = readonly (string | number)[];

export type LocatedJson = {
  value: unknown;
  /** Line (1-based) of the value at a path; key is `pathKey(path)`. */
  lines: Map<string, number>;
};

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

export const pathKey = (path: JsonPath): string => path.map(String).join('.');

/** The line of a path, or of its nearest ancestor that has one. */
export const lineOf = (located: LocatedJson, path: JsonPath): number => {
  for (let n = path.length; n >= 0; n--) {
    const line = located.lines.get(pathKey(path.slice(0, n)));
    if (line !== undefined) return line;
  }
  return 1;
};

export const parseJsonWithLines = (source: string): LocatedJson => {
  const lines = new Map<string, number>();
  let pos = 0;
  let line = 1;
  let lineStart = 0;

  const fail = (msg: string): never => {
    throw new JsonSyntaxError(msg, line, pos - lineStart + 1);
  };
  const skipWs = (): void => {
    while (pos < source.length) {
      const c = source[pos];
      if (c === '\n') {
        line++;
        pos++;
        lineStart = pos;
      } else if (c === ' ' || c === '\t' || c === '\r') pos++;
      else break;
    }
  };
  const parseString = (): string => {
    const start = pos;
    pos++; // opening quote
    while (pos < source.length && source[pos] !== '"') {
      if (source[pos] === '\\') pos++;
      else if (source[pos] === '\n') fail('unterminated string');
      pos++;
    }
    if (pos >= source.length) fail('unterminated string');
    pos++;
    try {
      return JSON.parse(source.slice(start, pos)) as string;
    } catch {
      return fail('invalid string escape');
    }
  };
  const parseValue = (path: (string | number)[]): unknown => {
    skipWs();
    lines.set(pathKey(path), line);
    const c = source[pos];
    if (c === '{') {
      pos++;
      const obj: Record<string, unknown> = {};
      skipWs();
      if (source[pos] === '}') {
        pos++;
        return obj;
      }
      for (;;) {
        skipWs();
        if (source[pos] !== '"')
          fail(`expected a property name in double quotes, found ${show(source[pos])}`);
        const keyLine = line;
        const key = parseString();
        skipWs();
        if (source[pos] !== ':') fail(`expected ':' after property name "${key}"`);
        pos++;
        obj[key] = parseValue([...path, key]);
        // A value on the line after its key is rare; the key's line is the useful one.
        lines.set(pathKey([...path, key]), keyLine);
        skipWs();
        if (source[pos] === ',') {
          pos++;
          continue;
        }
        if (source[pos] === '}') {
          pos++;
          return obj;
        }
        fail(`expected ',' or '}' after property "${key}", found ${show(source[pos])}`);
      }
    }
    if (c === '[') {
      pos++;
      const arr: unknown[] = [];
      skipWs();
      if (source[pos] === ']') {
        pos++;
        return arr;
      }
      for (;;) {
        arr.push(parseValue([...path, arr.length]));
        skipWs();
        if (source[pos] === ',') {
          pos++;
          continue;
        }
        if (source[pos] === ']') {
          pos++;
          return arr;
        }
        fail(`expected ',' or ']' in array, found ${show(source[pos])}`);
      }
    }
    if (c === '"') return parseString();
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(
      source.slice(pos, pos + 64),
    );
    if (!m) return fail(`unexpected ${show(c)}`);
    pos += m[0].length;
    return JSON.parse(m[0]) as unknown;
  };

  const value = parseValue([]);
  skipWs();
  if (pos < source.length) fail(`unexpected ${show(source[pos])} after the end of the document`);
  return { value, lines };
};

const show = (c: string | undefined): string => (c === undefined ? 'end of file' : JSON.stringify(c));
