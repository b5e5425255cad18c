import { Injectable } from '@nestjs/common';
import { type Actor } from '@diplowatch/contracts';
import {
  type EventCursor,
  type EventFilters,
  type EventListItem,
  type EventSort,
  type FieldChange,
  type SortOrder,
  type TimeseriesGroup,
  type TimeseriesInterval,
  describeVersionChanges,
} from '@diplowatch/domain';
import { Prisma, PrismaService } from '@diplowatch/persistence';
import { requiredPairs } from './phrase-pairs';
import { ReadDatabase } from './read-database';
import {
  EVENT_COLUMNS,
  type EventRow,
  type SourceMatch,
  afterCursor,
  cursorAfter,
  eventConditions,
  eventRelation,
  matchingSourcesQuery,
  orderBy,
  searchQuery,
  asOfPageQuery,
  sourceConditions,
  whereClause,
} from './event-sql';

/**
 * Up to this many matching (event, source) pairs, the events a source filter selects are
 * looked up by id; past it, the filter is checked event by event. Either way is quick at its
 * end of the range; see resolveSources.
 */
export const SOURCE_LOOKUP_LIMIT = 500;

/**
 * How many events, in sort order, are checked for a source filter before any lookup (see
 * firstEventsWithSources). The walk stops at a full page: one feed among 36 holds a page of 50
 * within about 1,100 events at the bench's density, so 1,000 often fell just short and paid
 * for the lookup and a second walk too.
 */
export const WALK_FIRST = 3000;

/** Filters that leave every event in (the source conditions apart): those are applied already. */
const NO_EVENT_FILTERS = {
  country: [],
  pair: [],
  actor: undefined,
  type: [],
  from: undefined,
  to: undefined,
  minConfidence: undefined,
  q: undefined,
} satisfies Partial<EventFilters>;

const { sql } = Prisma;

/** Whether the daily counts can answer: no filter but type and event dates, and not asOf. */
function countedDaily(filters: EventFilters): boolean {
  return (
    filters.country.length === 0 &&
    filters.pair.length === 0 &&
    !filters.actor &&
    !filters.publishedFrom &&
    !filters.publishedTo &&
    filters.minConfidence === undefined &&
    !filters.q &&
    filters.feed.length === 0 &&
    !filters.asOf
  );
}

function presentRow(row: EventRow): EventListItem {
  return {
    id: row.id,
    type: row.type,
    countries: row.countries,
    actors: row.actors as Actor[],
    confidence: row.confidence,
    summary: row.summary,
    eventDate: row.event_date,
    startDate: row.start_date,
    endDate: row.end_date,
    place: row.place,
    topics: row.topics,
    rulesVersion: row.rules_version,
    firstSeenAt: row.first_seen_at.toISOString(),
    lastSeenAt: row.last_seen_at.toISOString(),
    sourceCount: row.source_count,
  };
}

/** A version's stored state (the projector's DiplomaticEventView) as a list item. */
function presentState(state: Record<string, unknown>): EventListItem {
  return {
    id: state.id as string,
    type: state.type as string,
    countries: state.countries as string[],
    actors: state.actors as Actor[],
    confidence: state.confidence as number,
    summary: state.summary as string,
    eventDate: state.eventDate as string,
    startDate: (state.startDate as string | null) ?? null,
    endDate: (state.endDate as string | null) ?? null,
    place: (state.place as string | null) ?? null,
    topics: state.topics as string[],
    rulesVersion: state.rulesVersion as string,
    firstSeenAt: state.firstSeenAt as string,
    lastSeenAt: state.lastSeenAt as string,
    sourceCount: state.sourceCount as number,
  };
}

export type EventPageRequest = EventFilters & { sort: EventSort; order: SortOrder; limit: number };
export type EventPage = { items: EventListItem[]; nextCursor: EventCursor | null };

export type TimeseriesRow = { period: string; key: string; count: number };

type SourceRow = {
  article_id: string;
  title: string;
  url: string;
  feed_url: string;
  published_at: Date | null;
  confidence: number;
  evidence: Prisma.JsonValue;
  context: Prisma.JsonValue;
  detected_at: Date;
  classification: Prisma.JsonValue | null;
};

type VersionRow = {
  version: number;
  recorded_at: Date;
  /** int8: a string from pg. */
  stream_sequence: string;
  change: string;
  state: Record<string, unknown>;
};

/** Read-only queries over the projector's tables. */
@Injectable()
export class EventsRepository {
  /** Properties so tests can force each strategy. */
  sourceLookupLimit = SOURCE_LOOKUP_LIMIT;
  walkFirst = WALK_FIRST;

  constructor(
    private readonly db: ReadDatabase,
    private readonly prisma: PrismaService,
  ) {}

  /**
   * Source conditions (feed, published dates) select events by their sources. A rare feed or
   * a narrow date range matches few sources: walking events newest first and probing each
   * one's sources would read them all before giving up, so the matching events are found from
   * the sources' indexes first (bounded by SOURCE_LOOKUP_LIMIT). A common one stops that lookup
   * at its bound, and then walking the events finds a page of matches within a few probes.
   */
  private async resolveSources(filters: EventFilters): Promise<SourceMatch> {
    const conditions = sourceConditions(filters);
    if (!conditions) return { kind: 'none' };
    const rows = await this.db.query<{ id: string }>(
      matchingSourcesQuery(conditions, this.sourceLookupLimit + 1),
    );
    if (rows.length > this.sourceLookupLimit) return { kind: 'exists', conditions };
    return { kind: 'ids', ids: [...new Set(rows.map((row) => row.id))] };
  }

  /**
   * The word pairs a phrase in `q` requires (requiredPairs), from the tsquery Postgres makes of
   * it: one more round trip, only for queries with a phrase (a double quote).
   */
  private async searchPairs(filters: EventFilters): Promise<string[]> {
    if (!filters.q?.includes('"') || filters.asOf) return [];
    const [row] = await this.db.query<{ query: string }>(
      sql`SELECT ${searchQuery(filters.q)}::text AS query`,
    );
    return row ? requiredPairs(row.query) : [];
  }

  /** One page of events matching the filters, in a stable (key, id) order. */
  async list(request: EventPageRequest, cursor: EventCursor | null): Promise<EventPage> {
    const rows =
      (await this.firstEventsWithSources(request, cursor)) ?? (await this.listRows(request, cursor));
    const page = rows.slice(0, request.limit);
    const last = page.at(-1);
    return {
      items: page.map(presentRow),
      nextCursor: rows.length > request.limit && last ? cursorAfter(last, request.sort, request.order) : null,
    };
  }

  private async listRows(request: EventPageRequest, cursor: EventCursor | null): Promise<EventRow[]> {
    const sources = await this.resolveSources(request);
    if (sources.kind === 'ids' && sources.ids.length === 0) return [];
    const conditions = eventConditions(request, sources, await this.searchPairs(request));
    if (cursor) conditions.push(afterCursor(cursor));
    if (request.asOf) {
      return this.db.query<EventRow>(
        asOfPageQuery(
          eventRelation(request.asOf),
          conditions,
          request.sort,
          request.order,
          request.limit + 1,
        ),
      );
    }
    return this.db.query<EventRow>(sql`
      SELECT ${EVENT_COLUMNS}
      FROM diplomatic_events e
      ${whereClause(conditions)}
      ${orderBy(request.sort, request.order)}
      LIMIT ${request.limit + 1}`);
  }

  /**
   * Source conditions (feed, published dates) that many events meet: a page of them is among
   * the first events in sort order, so those are checked first, a bounded number (walkFirst),
   * without the lookup resolveSources makes. A full page found there is the answer (the first
   * matches of a prefix of the order are the first matches of the order); otherwise null, and
   * the lookup decides. Not at asOf (the versions page differently).
   */
  private async firstEventsWithSources(
    request: EventPageRequest,
    cursor: EventCursor | null,
  ): Promise<EventRow[] | null> {
    const sources = sourceConditions(request);
    if (!sources || request.asOf || this.walkFirst <= 0) return null;
    const conditions = eventConditions(request, { kind: 'none' }, await this.searchPairs(request));
    if (cursor) conditions.push(afterCursor(cursor));
    const rows = await this.db.query<EventRow>(sql`
      SELECT ${EVENT_COLUMNS}
      FROM (
        SELECT * FROM diplomatic_events e ${whereClause(conditions)}
        ${orderBy(request.sort, request.order)}
        LIMIT ${this.walkFirst}) e
      ${whereClause(eventConditions({ ...request, ...NO_EVENT_FILTERS }, { kind: 'exists', conditions: sources }))}
      ${orderBy(request.sort, request.order)}
      LIMIT ${request.limit + 1}`);
    return rows.length > request.limit ? rows : null;
  }

  /** Event counts per period (of the event date) and per country, pair or type. */
  async timeseries(
    filters: EventFilters,
    interval: TimeseriesInterval,
    groupBy: TimeseriesGroup | undefined,
  ): Promise<TimeseriesRow[]> {
    if (groupBy === 'pair' && countedDaily(filters)) return this.pairTimeseries(filters, interval);
    if (groupBy === 'country' && countedDaily(filters) && filters.type.length === 0)
      return this.countryTimeseries(filters, interval);
    const period = sql`date_trunc(${interval}::text, e.event_date::timestamp)`;
    const { key, join } = (() => {
      switch (groupBy) {
        case 'country':
          return { key: sql`c.code`, join: sql`CROSS JOIN LATERAL unnest(e.countries) AS c(code)` };
        case 'pair':
          // Each unordered pair of the event's countries once, named in alphabetical order.
          return {
            key: sql`p.pair`,
            join: sql`CROSS JOIN LATERAL (
              SELECT x.code || '-' || y.code AS pair
              FROM unnest(e.countries) AS x(code), unnest(e.countries) AS y(code)
              WHERE x.code < y.code) p`,
          };
        case 'type':
          return { key: sql`e.type`, join: Prisma.empty };
        case undefined:
          return { key: sql`'all'`, join: Prisma.empty };
        default: {
          const unexpected: never = groupBy;
          throw new Error(`unknown grouping ${String(unexpected)}`);
        }
      }
    })();
    // Grouped by the period's timestamp, formatted once per group rather than once per row.
    return this.db.query<TimeseriesRow>(sql`
      SELECT to_char(t.period, 'YYYY-MM-DD') AS period, t.key, t.count
      FROM (
        SELECT ${period} AS period, ${key} AS key, count(*)::int AS count
        FROM ${eventRelation(filters.asOf)} e ${join}
        ${whereClause(eventConditions(filters, await this.resolveSources(filters), await this.searchPairs(filters)))}
        GROUP BY 1, 2) t
      ORDER BY t.period, t.key`);
  }

  /**
   * One event with its sources, evidence and the classification behind each source. With
   * `asOf`: the event as known then (its latest version recorded by that moment) and only the
   * sources recorded by then; null if the log knew nothing of it yet.
   */
  /**
   * Per pair, filtered at most by type and event date: summed from the time series the projector
   * keeps (diplomatic_event_counts_daily, one row per day × pair × type), not from the events.
   */
  private pairTimeseries(filters: EventFilters, interval: TimeseriesInterval): Promise<TimeseriesRow[]> {
    const conditions: Prisma.Sql[] = [];
    if (filters.type.length > 0) conditions.push(sql`c.type = ANY(${filters.type}::text[])`);
    if (filters.from) conditions.push(sql`c.day >= ${filters.from}::date`);
    if (filters.to) conditions.push(sql`c.day <= ${filters.to}::date`);
    return this.db.query<TimeseriesRow>(sql`
      SELECT to_char(t.period, 'YYYY-MM-DD') AS period, t.key, t.count
      FROM (
        SELECT date_trunc(${interval}::text, c.day::timestamp) AS period, c.country_a || '-' || c.country_b AS key,
               sum(c.events)::int AS count
        FROM diplomatic_event_counts_daily c
        ${whereClause(conditions)}
        GROUP BY 1, 2) t
      WHERE t.count > 0
      ORDER BY t.period, t.key`);
  }

  /**
   * Per country, filtered at most by event date: summed from the per-country daily counts the
   * projector keeps (diplomatic_event_country_counts_daily, one row per day × country; about a
   * third of the rows an index-only scan of the events reads for the same year, and no unnest).
   */
  private countryTimeseries(filters: EventFilters, interval: TimeseriesInterval): Promise<TimeseriesRow[]> {
    const conditions: Prisma.Sql[] = [];
    if (filters.from) conditions.push(sql`c.day >= ${filters.from}::date`);
    if (filters.to) conditions.push(sql`c.day <= ${filters.to}::date`);
    return this.db.query<TimeseriesRow>(sql`
      SELECT to_char(t.period, 'YYYY-MM-DD') AS period, t.key, t.count
      FROM (
        SELECT date_trunc(${interval}::text, c.day::timestamp) AS period, c.country AS key,
               sum(c.events)::int AS count
        FROM diplomatic_event_country_counts_daily c
        ${whereClause(conditions)}
        GROUP BY 1, 2) t
      WHERE t.count > 0
      ORDER BY t.period, t.key`);
  }

  /**
   * The event an id names now: itself, or, for a merge key the projector folded into another
   * event (diplomatic_event_aliases), the event that absorbed it. Null if neither.
   */
  private async survivorOf(id: string): Promise<string | null> {
    const [row] = await this.db.query<{ id: string }>(sql`
      SELECT diplomatic_event_id AS id FROM diplomatic_event_aliases WHERE alias = ${id}`);
    return row && row.id !== id ? row.id : null;
  }

  /**
   * GET /events/:id: the event, or the one it was merged into (`mergedFrom` names the id asked
   * for). The direct lookup comes first, so only unknown ids pay for the alias lookup.
   */
  async get(id: string, asOf?: string) {
    const found = await this.getExact(id, asOf);
    if (found) return { ...found, mergedFrom: null };
    const survivor = await this.survivorOf(id);
    const merged = survivor ? await this.getExact(survivor, asOf) : null;
    return merged ? { ...merged, mergedFrom: id } : null;
  }

  private async getExact(id: string, asOf?: string) {
    // Two round trips: the event (with its version), then its sources with their articles.
    let event: EventListItem;
    let version: { version: number; recorded_at: Date } | null;
    if (asOf) {
      const [row] = await this.db.query<{
        version: number;
        recorded_at: Date;
        state: Record<string, unknown>;
      }>(sql`
        SELECT version, recorded_at, state FROM diplomatic_event_versions
        WHERE diplomatic_event_id = ${id} AND recorded_at <= ${asOf}::timestamptz
        ORDER BY version DESC LIMIT 1`);
      if (!row) return null;
      event = presentState(row.state);
      version = row;
    } else {
      const [row] = await this.db.query<EventRow & { version: number | null; recorded_at: Date | null }>(sql`
        SELECT ${EVENT_COLUMNS}, v.version, v.recorded_at
        FROM diplomatic_events e
        LEFT JOIN LATERAL (
          SELECT version, recorded_at FROM diplomatic_event_versions
          WHERE diplomatic_event_id = e.id ORDER BY version DESC LIMIT 1) v ON true
        WHERE e.id = ${id}`);
      if (!row) return null;
      event = presentRow(row);
      version =
        row.version === null || row.recorded_at === null
          ? null
          : { version: row.version, recorded_at: row.recorded_at };
    }
    const sources = await this.db.query<SourceRow>(sql`
      SELECT s.article_id, a.title, a.url, a.feed_url, a.published_at, s.confidence, s.evidence, s.context,
             s.detected_at, a.classification
      FROM diplomatic_event_sources s JOIN articles a ON a.id = s.article_id
      WHERE s.diplomatic_event_id = ${id} ${asOf ? sql`AND s.detected_at <= ${asOf}::timestamptz` : Prisma.empty}
      ORDER BY s.detected_at, s.article_id`);
    return {
      ...event,
      asOf: asOf ?? null,
      version: version?.version ?? null,
      recordedAt: version?.recorded_at.toISOString() ?? null,
      sources: sources.map((source) => ({
        articleId: source.article_id,
        title: source.title,
        url: source.url,
        feedUrl: source.feed_url,
        publishedAt: source.published_at?.toISOString() ?? null,
        confidence: source.confidence,
        evidence: source.evidence,
        context: source.context,
        detectedAt: source.detected_at.toISOString(),
        classification: source.classification,
      })),
    };
  }

  /** Every version of an event (or of the one it was merged into), oldest first; null if none. */
  async history(id: string) {
    const found = await this.historyExact(id);
    if (found) return { ...found, mergedFrom: null };
    const survivor = await this.survivorOf(id);
    const merged = survivor ? await this.historyExact(survivor) : null;
    return merged ? { ...merged, mergedFrom: id } : null;
  }

  private async historyExact(id: string) {
    const rows = await this.db.query<VersionRow>(sql`
      SELECT version, recorded_at, stream_sequence, change, state
      FROM diplomatic_event_versions WHERE diplomatic_event_id = ${id} ORDER BY version`);
    if (rows.length === 0) {
      const [exists] = await this.db.query<{ id: string }>(
        sql`SELECT id FROM diplomatic_events WHERE id = ${id}`,
      );
      if (!exists) return null;
    }
    const versions: Array<{
      version: number;
      recordedAt: string;
      streamSequence: number;
      change: string;
      changes: FieldChange[];
      state: EventListItem;
    }> = [];
    let previous: Record<string, unknown> | null = null;
    for (const row of rows) {
      versions.push({
        version: row.version,
        recordedAt: row.recorded_at.toISOString(),
        streamSequence: Number(row.stream_sequence),
        change: row.change,
        changes: describeVersionChanges(previous, row.state),
        state: presentState(row.state),
      });
      previous = row.state;
    }
    return { id, versions };
  }

  async getArticle(id: string) {
    const row = await this.prisma.client.article.findUnique({
      where: { id },
      include: { sources: { select: { diplomaticEventId: true } } },
    });
    if (!row) return null;
    return {
      id: row.id,
      url: row.url,
      canonicalUrl: row.canonicalUrl,
      guid: row.guid,
      feedUrl: row.feedUrl,
      title: row.title,
      text: row.text,
      author: row.author,
      language: row.language,
      publishedAt: row.publishedAt?.toISOString() ?? null,
      ingestedAt: row.ingestedAt.toISOString(),
      relevant: row.relevant,
      relevance: row.relevance,
      rulesVersion: row.rulesVersion,
      classifiedAt: row.classifiedAt?.toISOString() ?? null,
      classification: row.classification,
      diplomaticEventIds: row.sources.map((source) => source.diplomaticEventId),
    };
  }
}
