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
 * The actors' names as text-search words. The same expression indexes diplomatic_events
 * (migration 20261127081656_event_queries): change both or the planner ignores the index.
 */
const ACTOR_NAMES = raw(
  `to_tsvector('simple'::regconfig, jsonb_path_query_array(e.actors, '$[*].name'::jsonpath))`,
);

/**
 * The events a query reads, with the columns of diplomatic_events. Now: the table itself.
 * At `asOf`: each event's latest version the log had recorded by then, read from the state the
 * projector stored with it — so every filter applies to what was known at that moment.
 */
export function eventRelation(asOf: string | undefined): Prisma.Sql {
  if (!asOf) return sql`diplomatic_events`;
  return sql`(
    SELECT DISTINCT ON (v.diplomatic_event_id)
      v.diplomatic_event_id AS id,
      v.state->>'type' AS type,
      ARRAY(SELECT jsonb_array_elements_text(v.state->'countries')) AS countries,
      v.state->'actors' AS actors,
      (v.state->>'confidence')::float8 AS confidence,
      v.state->>'summary' AS summary,
      (v.state->>'startDate')::date AS start_date,
      (v.state->>'endDate')::date AS end_date,
      (v.state->>'eventDate')::date AS event_date,
      v.state->>'place' AS place,
      ARRAY(SELECT jsonb_array_elements_text(v.state->'topics')) AS topics,
      v.state->>'rulesVersion' AS rules_version,
      (v.state->>'firstSeenAt')::timestamptz AS first_seen_at,
      (v.state->>'lastSeenAt')::timestamptz AS last_seen_at,
      (v.state->>'sourceCount')::int AS source_count
    FROM diplomatic_event_versions v
    WHERE v.recorded_at <= ${asOf}::timestamptz
    ORDER BY v.diplomatic_event_id, v.version DESC
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
 * Conditions on an event's source articles (full text, feed, publication dates): one source
 * must meet them all. `article` applies to the article (alias `a`), `source` to the
 * source row (alias `s`): at `asOf`, only the sources the log had recorded by then count.
 */
export type SourceConditions = {
  /** On the article, alias `a` (the feed is apart: see below). */
  article: Prisma.Sql[];
  /** Any feed the article was found in (article_feeds holds them all, its first one included). */
  feeds: string[];
  /** On the source row, alias `s`. */
  source: Prisma.Sql[];
};

export function sourceConditions(filters: EventFilters): SourceConditions | null {
  const article: Prisma.Sql[] = [];
  if (filters.q)
    article.push(sql`a.search_vector @@ websearch_to_tsquery('english'::regconfig, ${filters.q})`);
  if (filters.publishedFrom)
    article.push(sql`a.published_at >= ${dayStart(filters.publishedFrom)}::timestamptz`);
  if (filters.publishedTo)
    article.push(sql`a.published_at < ${nextDayStart(filters.publishedTo)}::timestamptz`);
  if (article.length === 0 && filters.feed.length === 0) return null;
  const source = filters.asOf ? [sql`s.detected_at <= ${filters.asOf}::timestamptz`] : [];
  return { article, feeds: filters.feed, source };
}

/** Every condition on the article, the feed as an EXISTS (for checking one article at a time). */
function articleChecks(conditions: SourceConditions): Prisma.Sql[] {
  return conditions.feeds.length > 0
    ? [
        ...conditions.article,
        sql`EXISTS (SELECT 1 FROM article_feeds f
                    WHERE f.article_id = a.id AND f.feed_url = ANY(${conditions.feeds}::text[]))`,
      ]
    : conditions.article;
}

/**
 * The events with a source meeting the conditions, found from the articles' side (the feed's
 * articles, or the full-text and date indexes), stopping after `limit` rows. The LATERAL with
 * OFFSET 0 keeps the join to the sources a nested loop over their article_id index, which
 * streams and stops at the limit, where a hash join would first read every source. No
 * DISTINCT, for the same reason (an article in two of the feeds asked for counts twice).
 */
export function matchingSourcesQuery(conditions: SourceConditions, limit: number): Prisma.Sql {
  const byFeed = conditions.feeds.length > 0;
  // A feed alone needs nothing of the article itself: article_feeds leads to the sources.
  const from = !byFeed
    ? sql`articles a`
    : conditions.article.length > 0
      ? sql`article_feeds f JOIN articles a ON a.id = f.article_id`
      : sql`article_feeds f`;
  const articleId = byFeed ? sql`f.article_id` : sql`a.id`;
  const where = [
    ...(byFeed ? [sql`f.feed_url = ANY(${conditions.feeds}::text[])`] : []),
    ...conditions.article,
  ];
  return sql`
    SELECT s.diplomatic_event_id AS id
    FROM ${from}
    CROSS JOIN LATERAL (
      SELECT s.diplomatic_event_id FROM diplomatic_event_sources s
      WHERE s.article_id = ${articleId} ${conditions.source.length > 0 ? sql`AND ${join(conditions.source, ' AND ')}` : empty}
      OFFSET 0) s
    WHERE ${join(where, ' AND ')}
    LIMIT ${limit}`;
}

/**
 * How source conditions reach the event query: `ids` when the matching events are known
 * (few matches: an indexed lookup of exactly those), else `exists` (many matches: walking the
 * events in sort order finds a page of them quickly, checking each event's sources).
 */
export type SourceMatch =
  { kind: 'none' } | { kind: 'ids'; ids: string[] } | { kind: 'exists'; conditions: SourceConditions };

/** The WHERE conditions of the filters, over the relation aliased `e`. */
export function eventConditions(filters: EventFilters, sources: SourceMatch): Prisma.Sql[] {
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
  if (actor) conditions.push(sql`${ACTOR_NAMES} @@ to_tsquery('simple'::regconfig, ${actor})`);
  if (filters.type.length > 0) conditions.push(sql`e.type = ANY(${filters.type}::text[])`);
  if (filters.from) conditions.push(sql`e.event_date >= ${filters.from}::date`);
  if (filters.to) conditions.push(sql`e.event_date <= ${filters.to}::date`);
  if (filters.minConfidence !== undefined)
    conditions.push(sql`e.confidence >= ${filters.minConfidence}::float8`);
  switch (sources.kind) {
    case 'none':
      break;
    case 'ids':
      conditions.push(sql`e.id = ANY(${sources.ids}::text[])`);
      break;
    case 'exists':
      conditions.push(sql`EXISTS (
        SELECT 1 FROM diplomatic_event_sources s JOIN articles a ON a.id = s.article_id
        WHERE s.diplomatic_event_id = e.id
          AND ${join([...sources.conditions.source, ...articleChecks(sources.conditions)], ' AND ')})`);
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
