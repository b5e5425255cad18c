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

/** The WHERE conditions of the filters, over the relation aliased `e`. */
export function eventConditions(filters: EventFilters): Prisma.Sql[] {
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

  // Conditions on the source articles: one source must meet them all.
  const source: Prisma.Sql[] = [];
  if (filters.q)
    source.push(sql`a.search_vector @@ websearch_to_tsquery('english'::regconfig, ${filters.q})`);
  if (filters.feed.length > 0) source.push(sql`a.feed_url = ANY(${filters.feed}::text[])`);
  if (filters.publishedFrom)
    source.push(sql`a.published_at >= ${dayStart(filters.publishedFrom)}::timestamptz`);
  if (filters.publishedTo)
    source.push(sql`a.published_at < ${nextDayStart(filters.publishedTo)}::timestamptz`);
  if (source.length > 0) {
    // At `asOf`, only the sources known then (detected_at is when the log recorded the report).
    if (filters.asOf) source.push(sql`s.detected_at <= ${filters.asOf}::timestamptz`);
    conditions.push(sql`EXISTS (
      SELECT 1 FROM diplomatic_event_sources s JOIN articles a ON a.id = s.article_id
      WHERE s.diplomatic_event_id = e.id AND ${join(source, ' AND ')})`);
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
