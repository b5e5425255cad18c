/**
 * The adjacent word pairs a full-text query requires, from the text of its tsquery as Postgres
 * prints it (websearch_to_tsquery(…)::text): for `'joint' <-> 'exercis' & 'russia'`,
 * ["joint exercis"]. Every event matching the query holds those pairs in
 * event_search_documents.search_pairs (GIN indexed), so they can narrow the candidates before the
 * phrase is checked on each document. Only for queries made of plain words joined by `&` and
 * `<->`: with `|`, `!`, a distance (`<2>`, a stop word inside a phrase), parentheses or a quote
 * or backslash inside a word, nothing is required ([]), and the query is answered as before.
 */
export function requiredPairs(tsquery: string): string[] {
  if (/[|!()\\]|<\d+>/.test(tsquery)) return [];
  const pairs = new Set<string>();
  for (const conjunct of tsquery.split(' & ')) {
    const words = conjunct.split(' <-> ').map((word) => /^'([^']+)'$/.exec(word.trim())?.[1]);
    if (words.some((word) => word === undefined)) return [];
    for (let i = 0; i + 1 < words.length; i++) pairs.add(`${words[i]} ${words[i + 1]}`);
  }
  return [...pairs];
}
