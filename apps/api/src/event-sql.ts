import {
  type EventCursor,
  type EventFilters,
  type EventSort,
  type SortOrder,
  actorTsQuery,
} from '@diplowatch/domain';
import { Prisma } from '@diplowatch/persistence';

// SQL for the event queries (list, export, time series), built from typed, validated
// parameters. Every value is a bind parameter; only fixed SQL text is spliced in.

const { sql, join, empty, raw } = Prisma;

/**
 * The actors' names as text-search words: now, the column Postgres generates with this
 * expression (diplomatic_events.actor_names, GIN indexed, migration 20261127134848_read_path);
 * at `asOf`, the expression over the version's actors.
 */
const actorNames = (asOf: string | undefined) =>
  asOf
    ? raw(`to_tsvector('simple'::regconfig, jsonb_path_query_array(e.actors, '$[*].name'::jsonpath))`)
    : raw('e.actor_names');

/**
 * The events a query reads, with the columns of diplomatic_events. Now: the table itself.
 * At `asOf`: each event's version the log had recorded by then — the one whose
 * [recorded_at, valid_until) holds that moment — read from the state the projector stored with
 * it, so every filter applies to what was known then. A plain subquery: Postgres pulls it up,
 * so the filters reach the versions' own indexes. The range is written as the GiST index
 * diplomatic_event_versions_known_idx has it (migration 20261127105438_query_indexes).
 */
export function eventRelation(asOf: string | undefined): Prisma.Sql {
  if (!asOf) return sql`diplomatic_events`;
  return sql`(
    SELECT
      v.diplomatic_event_id AS id,
      v.type,
      v.countries,
      v.state->'actors' AS actors,
      v.confidence,
      v.state->>'summary' AS summary,
      (v.state->>'startDate')::date AS start_date,
      (v.state->>'endDate')::date AS end_date,
      v.event_date,
      v.state->>'place' AS place,
      ARRAY(SELECT jsonb_array_elements_text(v.state->'topics')) AS topics,
      v.state->>'rulesVersion' AS rules_version,
      (v.state->>'firstSeenAt')::timestamptz AS first_seen_at,
      (v.state->>'lastSeenAt')::timestamptz AS last_seen_at,
      (v.state->>'sourceCount')::int AS source_count
    FROM diplomatic_event_versions v
    WHERE tstzrange(v.recorded_at, v.valid_until, '[)') @> ${asOf}::timestamptz
  )`;
}

/** The columns every event query returns (see EventRow). */
export const EVENT_COLUMNS = sql`
  e.id, e.type, e.countries, e.actors, e.confidence, e.summary,
  to_char(e.event_date, 'YYYY-MM-DD') AS event_date,
  to_char(e.start_date, 'YYYY-MM-DD') AS start_date,
  to_char(e.end_date, 'YYYY-MM-DD') AS end_date,
  e.place, e.topics, e.rules_version, e.first_seen_at, e.last_seen_at, e.source_count`;

export type EventRow = {
  id: string;
  type: string;
  countries: string[];
  actors: unknown;
  confidence: number;
  summary: string;
  event_date: string;
  start_date: string | null;
  end_date: string | null;
  place: string | null;
  topics: string[];
  rules_version: string;
  first_seen_at: Date;
  last_seen_at: Date;
  source_count: number;
};

const dayStart = (day: string) => `${day}T00:00:00.000Z`;
const nextDayStart = (day: string) => {
  const date = new Date(dayStart(day));
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString();
};

/**
 * Conditions on an event's sources (feed, publication dates): one source must meet them all.
 * They read the source row alone (alias `s`): the projector copies the article's feeds and
 * publication time onto it. At `asOf`, only the sources the log had recorded by then count.
 */
export type SourceConditions = Prisma.Sql[];

export function sourceConditions(filters: EventFilters): SourceConditions | null {
  const conditions: Prisma.Sql[] = [];
  // Any feed the article was found in (article_feeds holds them all, its first one included).
  if (filters.feed.length > 0) conditions.push(sql`s.feed_urls && ${filters.feed}::text[]`);
  if (filters.publishedFrom)
    conditions.push(sql`s.published_at >= ${dayStart(filters.publishedFrom)}::timestamptz`);
  if (filters.publishedTo)
    conditions.push(sql`s.published_at < ${nextDayStart(filters.publishedTo)}::timestamptz`);
  if (conditions.length === 0) return null;
  if (filters.asOf) conditions.push(sql`s.detected_at <= ${filters.asOf}::timestamptz`);
  return conditions;
}

/**
 * The events with a source meeting the conditions, stopping after `limit` rows: read from the
 * sources' own indexes (feeds, publication time). No DISTINCT, so it stops at the limit.
 */
export function matchingSourcesQuery(conditions: SourceConditions, limit: number): Prisma.Sql {
  return sql`
    SELECT s.diplomatic_event_id AS id FROM diplomatic_event_sources s
    WHERE ${join(conditions, ' AND ')}
    LIMIT ${limit}`;
}

/**
 * How source conditions reach the event query: `ids` when the matching events are known
 * (few matches: an indexed lookup of exactly those), else `exists` (many matches: walking the
 * events in sort order finds a page of them quickly, checking each event's sources).
 */
export type SourceMatch =
  { kind: 'none' } | { kind: 'ids'; ids: string[] } | { kind: 'exists'; conditions: SourceConditions };

export const searchQuery = (q: string) => sql`websearch_to_tsquery('english'::regconfig, ${q})`;

/**
 * Full text (`q`): the event's reports taken together as one document — the titles and texts
 * of all its sources, which the projector keeps in event_search_documents (a row per event,
 * search_vector GIN indexed; apart from the event row so that reports that do not change the
 * document do not rewrite it). At `asOf` the document is made from the sources recorded by
 * then (slower: no index).
 */
function fullTextCondition(q: string, asOf: string | undefined, pairs: string[]): Prisma.Sql {
  // The adjacent word pairs a phrase requires (requiredPairs): their GIN index narrows the
  // candidates to the documents holding the phrase before each is checked.
  if (!asOf && pairs.length > 0)
    return sql`EXISTS (SELECT 1 FROM event_search_documents d WHERE d.diplomatic_event_id = e.id
                 AND d.search_pairs @> ${pairs}::text[] AND d.search_vector @@ ${searchQuery(q)})`;
  if (!asOf)
    return sql`EXISTS (SELECT 1 FROM event_search_documents d WHERE d.diplomatic_event_id = e.id
                 AND d.search_vector @@ ${searchQuery(q)})`;
  return sql`(
    SELECT to_tsvector('english'::regconfig, string_agg(a.title || ' ' || a.text, ' ' ORDER BY a.id))
      FROM diplomatic_event_sources s JOIN articles a ON a.id = s.article_id
     WHERE s.diplomatic_event_id = e.id AND s.detected_at <= ${asOf}::timestamptz) @@ ${searchQuery(q)}`;
}

/**
 * The WHERE conditions of the filters, over the relation aliased `e`. `searchPairs`: the word
 * pairs `q` requires (see requiredPairs), when known.
 */
export function eventConditions(
  filters: EventFilters,
  sources: SourceMatch,
  searchPairs: string[] = [],
): Prisma.Sql[] {
  const conditions: Prisma.Sql[] = [];
  if (filters.country.length > 0) {
    conditions.push(
      filters.countryMatch === 'any'
        ? sql`e.countries && ${filters.country}::text[]`
        : sql`e.countries @> ${filters.country}::text[]`,
    );
  }
  if (filters.pair.length > 0) {
    conditions.push(
      sql`(${join(
        filters.pair.map((pair) => sql`e.countries @> ${pair}::text[]`),
        ' OR ',
      )})`,
    );
  }
  const actor = filters.actor ? actorTsQuery(filters.actor) : null;
  if (actor) conditions.push(sql`${actorNames(filters.asOf)} @@ to_tsquery('simple'::regconfig, ${actor})`);
  if (filters.type.length > 0) conditions.push(sql`e.type = ANY(${filters.type}::text[])`);
  if (filters.from) conditions.push(sql`e.event_date >= ${filters.from}::date`);
  if (filters.to) conditions.push(sql`e.event_date <= ${filters.to}::date`);
  if (filters.minConfidence !== undefined)
    conditions.push(sql`e.confidence >= ${filters.minConfidence}::float8`);
  if (filters.q) conditions.push(fullTextCondition(filters.q, filters.asOf, searchPairs));
  switch (sources.kind) {
    case 'none':
      break;
    case 'ids':
      conditions.push(sql`e.id = ANY(${sources.ids}::text[])`);
      break;
    case 'exists':
      // A probe per event, not EXISTS: Postgres turns EXISTS into a semi-join and may then read
      // every matching source first (a hash of thousands of rows) to keep a page of events. A
      // scalar subquery is a probe of the (event, published_at, feed_urls) index for each event
      // walked, and the walk stops once the page is full.
      conditions.push(sql`(
        SELECT true FROM diplomatic_event_sources s
        WHERE s.diplomatic_event_id = e.id AND ${join(sources.conditions, ' AND ')} LIMIT 1)`);
      break;
    default: {
      const unexpected: never = sources;
      throw new Error(`unknown source match ${JSON.stringify(unexpected)}`);
    }
  }
  return conditions;
}

export function whereClause(conditions: Prisma.Sql[]): Prisma.Sql {
  return conditions.length > 0 ? sql`WHERE ${join(conditions, ' AND ')}` : empty;
}

const sortColumn = (sort: EventSort) => (sort === 'date' ? raw('e.event_date') : raw('e.confidence'));

/** ORDER BY (key, id), both in the requested direction: a total order, so paging is stable. */
export function orderBy(sort: EventSort, order: SortOrder): Prisma.Sql {
  const direction = raw(order === 'asc' ? 'ASC' : 'DESC');
  return sql`ORDER BY ${sortColumn(sort)} ${direction}, e.id ${direction}`;
}

/**
 * At `asOf`, a page (`limit` rows, in (key, id) order) found with the versions' GiST index
 * (range and sort key together). ORDER BY key <-> 'far value' walks it nearest first (a
 * K-nearest-neighbour scan) among the versions valid at that moment only, where a btree on the
 * key would step over every version of other moments; but such a scan cannot also order by id.
 * So: the first `limit` rows of that walk (`p`); the key of the last of them bounds the page;
 * the rows of `p` strictly beyond it are in the page (being nearer, they all come before any
 * row at the bound), and of the rows at the bound itself, the first by id (an equality the
 * index answers). Not "key >= bound" and a sort, as before: the planner cannot know that the
 * versions valid at a moment have event dates up to about that moment, guessed thousands of
 * rows where there are a few hundred, and at times scanned the versions sequentially
 * (0.6–0.9 s at the bench's scale).
 */
export function asOfPageQuery(
  relation: Prisma.Sql,
  conditions: Prisma.Sql[],
  sort: EventSort,
  order: SortOrder,
  limit: number,
): Prisma.Sql {
  const far =
    sort === 'date'
      ? order === 'desc'
        ? sql`'9999-12-31'::date`
        : sql`'0001-01-01'::date`
      : order === 'desc'
        ? sql`2::float8`
        : sql`-1::float8`;
  const key = raw(sort === 'date' ? 'event_date' : 'confidence');
  const bound = raw(order === 'desc' ? 'min' : 'max');
  const direction = raw(order === 'asc' ? 'ASC' : 'DESC');
  return sql`
    WITH p AS MATERIALIZED (
      SELECT * FROM ${relation} e ${whereClause(conditions)}
      ORDER BY ${sortColumn(sort)} <-> ${far} LIMIT ${limit}),
    b AS (SELECT ${bound}(p.${key}) AS bound FROM p)
    SELECT ${EVENT_COLUMNS}
    FROM (
      SELECT * FROM p WHERE p.${key} <> (SELECT bound FROM b)
      UNION ALL
      (SELECT * FROM ${relation} e ${whereClause([...conditions, sql`${sortColumn(sort)} = (SELECT bound FROM b)`])}
       ORDER BY e.id ${direction} LIMIT ${limit})) e
    ${orderBy(sort, order)}
    LIMIT ${limit}`;
}

/** Rows strictly after the cursor in that order (a row comparison the btree index serves). */
export function afterCursor(cursor: EventCursor): Prisma.Sql {
  const key = cursor.sort === 'date' ? sql`${cursor.key}::date` : sql`${cursor.key}::float8`;
  const comparison = raw(cursor.order === 'asc' ? '>' : '<');
  return sql`(${sortColumn(cursor.sort)}, e.id) ${comparison} (${key}, ${cursor.id}::text)`;
}

/** The cursor that continues after `row`. */
export function cursorAfter(row: EventRow, sort: EventSort, order: SortOrder): EventCursor {
  return sort === 'date'
    ? { sort, order, key: row.event_date, id: row.id }
    : { sort, order, key: row.confidence, id: row.id };
}
