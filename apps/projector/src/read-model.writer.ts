import { Injectable } from '@nestjs/common';
import { type NewsEvent } from '@diplowatch/contracts';
import {
  type DiplomaticEventView,
  type ReadModelState,
  type ReadModelWrites,
  type VersionWrite,
  candidateEventDateRange,
  foldReadModelBatch,
  sourceKey,
} from '@diplowatch/domain';
import { type BatchFailure, type ConsumedEvent } from '@diplowatch/messaging';
import pg from 'pg';
import { addCountryCounts } from './country-counts.writer';
import { ReadModelDatabase } from './read-model.database';

type Tx = pg.ClientBase;

/**
 * Statements sent to Postgres in one round trip (one simple-protocol query). A batch's reads
 * are one script and its writes another, instead of a query each: on the shared 2-core
 * machine every round trip cost 2–5 ms of waiting for the scheduler, about as much as the
 * writes themselves. The simple protocol takes no bind parameters, so `$n` in a statement is
 * replaced by its value as a quoted literal (`literal`: quotes and backslashes escaped as
 * pg.escapeLiteral does; the statement texts themselves are constants).
 */
const literal = (text: string) =>
  // pg.escapeLiteral does the same one character at a time: ~20 ms for a batch's 700 KB of JSON.
  text.includes('\\')
    ? `E'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`
    : `'${text.replace(/'/g, "''")}'`;

class Script {
  private readonly statements: string[] = [];

  add(sql: string, ...params: Array<string | number | null>): void {
    this.statements.push(
      sql.replace(/\$(\d+)\b/g, (_match, n: string) => {
        const value = params[Number(n) - 1];
        return value === null || value === undefined ? 'NULL' : literal(String(value));
      }),
    );
  }

  /** Runs the statements in order; one result per statement. */
  async run(tx: Tx): Promise<pg.QueryResult[]> {
    if (this.statements.length === 0) return [];
    const result = (await tx.query(this.statements.join(';\n'))) as pg.QueryResult | pg.QueryResult[];
    return Array.isArray(result) ? result : [result];
  }
}

export const READ_MODEL_PROJECTION = 'read-model';

/**
 * An event's search document covers its first sources (by article id) and the start of each
 * text: enough to find a reported act by its words, bounded in cost however often it is
 * reported (and far from tsvector's 1 MB limit). The migration that added it uses the same bounds.
 */
export const SEARCH_DOCUMENT_SOURCES = 50;
export const SEARCH_DOCUMENT_CHARS = 20_000;

/** A write that depends on a row another event creates first (redelivered later, not dead-lettered). */
export class NotYetApplicableError extends Error {
  readonly code = 'NOT_YET_APPLICABLE';
}

// Rows travel to Postgres as one JSON document per statement, unpacked with json_to_recordset:
// a whole batch in one round trip and one constant statement text, far below the bind
// parameter limit. Lone surrogates would make Postgres reject the JSON: made well-formed.
type Es2024String = string & { isWellFormed(): boolean; toWellFormed(): string };
const toJson = (value: unknown) =>
  JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'string' && !(item as Es2024String).isWellFormed()
      ? (item as Es2024String).toWellFormed()
      : item,
  );

/** Every feed an article was found in, in a fixed order (a rebuild writes the same array). */
const ARTICLE_FEEDS = (articleId: string) =>
  `ARRAY(SELECT f.feed_url FROM article_feeds f WHERE f.article_id = ${articleId} ORDER BY f.feed_url)`;

/**
 * An event's search document: the titles and texts of its source articles (those `articleIds`
 * selects), the first SEARCH_DOCUMENT_SOURCES by article id so a rebuild writes the same
 * vector, SEARCH_DOCUMENT_CHARS of each. Bounded because it is rebuilt whenever a source
 * joins: unbounded, a much-reported event cost more with every report (the long chaos run,
 * hundreds of reports of one event, crawled).
 */
const SEARCH_DOCUMENT = (articleIds: string) =>
  `(SELECT to_tsvector('english'::regconfig, string_agg(b.body, ' ' ORDER BY b.id))
      FROM (SELECT a.id, a.title || ' ' || left(a.text, ${SEARCH_DOCUMENT_CHARS}) AS body
              FROM articles a WHERE a.id IN (${articleIds})
             ORDER BY a.id LIMIT ${SEARCH_DOCUMENT_SOURCES}) b)`;

/**
 * Writes the documents a statement's CTE `d` (id, document) made, each only where it differs
 * from the stored one: an unchanged document is not a new row version nor new GIN entries.
 */
const WRITE_CHANGED_DOCUMENTS = `INSERT INTO event_search_documents AS x (diplomatic_event_id, search_vector)
         SELECT d.id, d.document FROM d WHERE d.document IS NOT NULL
         ON CONFLICT (diplomatic_event_id) DO UPDATE SET search_vector = EXCLUDED.search_vector
         WHERE x.search_vector IS DISTINCT FROM EXCLUDED.search_vector`;

/**
 * When each version of the batch stops being the answer to asOf, as far as the batch knows:
 * the earliest recorded_at of the later versions of its event in the batch (occurredAt need
 * not grow with the version), never before its own; null for the last. Written with the row,
 * so a version is not written twice in one transaction; later batches close the last one.
 */
function validUntilInBatch(versions: ReadModelWrites['versions']): Map<VersionWrite, string | null> {
  const result = new Map<VersionWrite, string | null>();
  const byEvent = new Map<string, VersionWrite[]>();
  for (const v of versions)
    byEvent.set(v.diplomaticEventId, [...(byEvent.get(v.diplomaticEventId) ?? []), v]);
  for (const list of byEvent.values()) {
    let later: number | null = null;
    for (const v of [...list].sort((x, y) => y.version - x.version)) {
      const own = Date.parse(v.recordedAt);
      result.set(v, later === null ? null : new Date(Math.max(own, later)).toISOString());
      later = later === null ? own : Math.min(later, own);
    }
  }
  return result;
}

/** Articles the store held before the batch that the batch revised or found in another feed. */
function revisitedArticles(state: ReadModelState, writes: ReadModelWrites): string[] {
  const ids = new Set<string>();
  for (const write of writes.articleContents) if (state.articles.has(write.id)) ids.add(write.id);
  for (const feed of writes.articleFeeds) if (state.articles.has(feed.articleId)) ids.add(feed.articleId);
  return [...ids];
}

/** Articles the store held before the batch whose content (title, text…) the batch revised. */
function revisedArticleTexts(state: ReadModelState, writes: ReadModelWrites): string[] {
  return [
    ...new Set(writes.articleContents.filter((write) => state.articles.has(write.id)).map((w) => w.id)),
  ];
}

const isoDay = (value: Date | null) => (value ? value.toISOString().slice(0, 10) : null);

type EventRow = {
  id: string;
  type: string;
  countries: string[];
  actors: DiplomaticEventView['actors'];
  confidence: number;
  summary: string;
  start_date: Date | null;
  end_date: Date | null;
  event_date: Date;
  place: string | null;
  topics: string[];
  rules_version: string;
  first_seen_at: Date;
  last_seen_at: Date;
  source_count: number;
  last_sequence: string;
  version: number | null;
};

const toView = (row: EventRow): DiplomaticEventView => ({
  id: row.id,
  type: row.type,
  countries: row.countries,
  actors: row.actors,
  confidence: row.confidence,
  summary: row.summary,
  startDate: isoDay(row.start_date),
  endDate: isoDay(row.end_date),
  eventDate: isoDay(row.event_date)!,
  place: row.place,
  topics: row.topics,
  rulesVersion: row.rules_version,
  firstSeenAt: row.first_seen_at.toISOString(),
  lastSeenAt: row.last_seen_at.toISOString(),
  sourceCount: row.source_count,
  lastSequence: Number(row.last_sequence),
});

/**
 * Applies log events to the read models, a batch per transaction: load the rows the batch
 * touches (a few set-based reads), fold the events over them in stream order
 * (foldReadModelBatch, pure), write the result with multi-row upserts, and store the
 * checkpoint in the same transaction. Every row carries the stream sequence that last changed
 * it, so a redelivered batch (a crash between commit and ack) changes nothing.
 *
 * Table names are unqualified: they resolve through the connection's search_path, which is
 * how `npm run rebuild` points a projector at a fresh schema.
 */
@Injectable()
export class ReadModelWriter {
  constructor(private readonly database: ReadModelDatabase) {}

  /** One event; throws NotYetApplicableError when it needs a row that is not there yet. */
  async apply(consumed: ConsumedEvent): Promise<void> {
    const { failures } = await this.applyBatch([consumed]);
    if (failures.length > 0) throw failures[0]!.error;
  }

  /** Events in stream order; those that need rows not there yet come back as failures (retried). */
  async applyBatch(batch: ConsumedEvent[]): Promise<{ failures: BatchFailure[] }> {
    return this.database.transaction(async (tx) => {
      const state = await this.load(tx, batch);
      const writes = foldReadModelBatch(state, batch);
      const script = new Script();
      this.write(script, writes, revisitedArticles(state, writes), revisedArticleTexts(state, writes));
      await script.run(tx);
      return {
        failures: writes.notYetApplicable.map(({ streamSequence, reason }) => ({
          streamSequence,
          error: new NotYetApplicableError(reason),
        })),
      };
    });
  }

  /** What the batch can touch, read in one round trip (after the lock, in the same script). */
  private async load(tx: Tx, batch: ConsumedEvent[]): Promise<ReadModelState> {
    const articleIds = new Set<string>();
    const detections: Array<Extract<NewsEvent, { type: 'DiplomaticEventDetected' }>> = [];
    for (const { event } of batch) {
      articleIds.add(event.data.articleId);
      if (event.type === 'DiplomaticEventDetected') detections.push(event);
    }
    const script = new Script();
    // Replicas of the projector share the durable consumer: their batches are applied one
    // at a time, so each fold sees the state the previous batch left.
    script.add(`SELECT pg_advisory_xact_lock(hashtext('diplowatch.read-model.' || current_schema()))`);
    script.add(
      `SELECT id, last_sequence, content_hash FROM articles
        WHERE id IN (SELECT json_array_elements_text($1::json))`,
      toJson([...articleIds]),
    );
    if (detections.length > 0) {
      const keys = toJson([...new Set(detections.map((event) => event.data.diplomaticEventId))]);
      script.add(
        `SELECT alias, diplomatic_event_id FROM diplomatic_event_aliases
          WHERE alias IN (SELECT json_array_elements_text($1::json))`,
        keys,
      );
      // The events the keys name (directly or through an alias), and every event a detection
      // could be merged into (a superset; the fold decides exactly).
      const windows = detections.map((event) => ({
        type: event.data.type,
        countries: event.data.countries,
        ...candidateEventDateRange({ data: event.data, occurredAt: event.occurredAt }),
      }));
      script.add(
        `WITH k AS (
           SELECT json_array_elements_text($1::json) AS key
         ), w AS (
           SELECT * FROM json_to_recordset($2::json) AS w(type text, countries text[], "from" date, "to" date)
         ), ids AS (
           SELECT key AS id FROM k
           UNION
           SELECT a.diplomatic_event_id FROM k JOIN diplomatic_event_aliases a ON a.alias = k.key
           UNION
           SELECT e.id FROM w JOIN diplomatic_events e
               ON e.type = w.type AND e.event_date BETWEEN w."from" AND w."to" AND e.countries && w.countries
         )
         SELECT e.id, e.type, e.countries, e.actors, e.confidence, e.summary, e.start_date, e.end_date,
                e.event_date, e.place, e.topics, e.rules_version, e.first_seen_at, e.last_seen_at,
                e.source_count, e.last_sequence,
                (SELECT max(v.version) FROM diplomatic_event_versions v WHERE v.diplomatic_event_id = e.id) AS version
           FROM diplomatic_events e WHERE e.id IN (SELECT id FROM ids)`,
        keys,
        toJson(windows),
      );
      script.add(
        `SELECT diplomatic_event_id, article_id, last_sequence FROM diplomatic_event_sources
          WHERE article_id IN (SELECT json_array_elements_text($1::json))`,
        toJson([...new Set(detections.map((event) => event.data.articleId))]),
      );
    }
    const [, articles, aliases, events, sources] = await script.run(tx);

    const state: ReadModelState = {
      articles: new Map(),
      aliases: new Map(),
      events: new Map(),
      sources: new Map(),
    };
    for (const row of articles!.rows as Array<{ id: string; last_sequence: string; content_hash: string }>) {
      state.articles.set(row.id, { lastSequence: Number(row.last_sequence), contentHash: row.content_hash });
    }
    if (detections.length === 0) return state;
    for (const row of aliases!.rows as Array<{ alias: string; diplomatic_event_id: string }>) {
      state.aliases.set(row.alias, row.diplomatic_event_id);
    }
    for (const row of events!.rows as EventRow[]) {
      state.events.set(row.id, { view: toView(row), version: row.version ?? 0 });
    }
    for (const row of sources!.rows as Array<{
      diplomatic_event_id: string;
      article_id: string;
      last_sequence: string;
    }>) {
      state.sources.set(sourceKey(row.diplomatic_event_id, row.article_id), Number(row.last_sequence));
    }
    return state;
  }

  /**
   * `revisited`: articles projected before this batch that it revised or found in another
   * feed; the copies of their fields on source rows follow. `revisedTexts`: those of them it
   * revised; the search documents of their events follow.
   */
  private write(script: Script, writes: ReadModelWrites, revisited: string[], revisedTexts: string[]): void {
    if (writes.articleContents.length > 0) {
      script.add(
        `INSERT INTO articles (id, url, canonical_url, guid, feed_url, title, text, raw_content, language, author,
                               published_at, ingested_at, content_hash, relevant, relevance, rules_version,
                               classified_at, classification, last_sequence)
         SELECT id, url, canonical_url, guid, feed_url, title, text, raw_content, language, author,
                published_at, ingested_at, content_hash, relevant, relevance, rules_version,
                classified_at, classification::jsonb, last_sequence
           FROM json_to_recordset($1::json) AS r(
             id text, url text, canonical_url text, guid text, feed_url text, title text, text text,
             raw_content text, language text, author text, published_at timestamptz,
             ingested_at timestamptz, content_hash text, relevant boolean, relevance double precision,
             rules_version text, classified_at timestamptz, classification json, last_sequence bigint)
         ON CONFLICT (id) DO UPDATE SET
           url = EXCLUDED.url, canonical_url = EXCLUDED.canonical_url, guid = EXCLUDED.guid,
           feed_url = EXCLUDED.feed_url, title = EXCLUDED.title, text = EXCLUDED.text,
           raw_content = EXCLUDED.raw_content, language = EXCLUDED.language, author = EXCLUDED.author,
           published_at = EXCLUDED.published_at, ingested_at = EXCLUDED.ingested_at,
           content_hash = EXCLUDED.content_hash, last_sequence = EXCLUDED.last_sequence
         WHERE articles.last_sequence < EXCLUDED.last_sequence`,
        toJson(
          writes.articleContents.map(({ id, data, classification, lastSequence }) => ({
            id,
            url: data.url,
            canonical_url: data.canonicalUrl,
            guid: data.guid,
            feed_url: data.feedUrl,
            title: data.title,
            text: data.text,
            raw_content: data.rawContent,
            language: data.language,
            author: data.author,
            published_at: data.publishedAt,
            ingested_at: data.fetchedAt,
            content_hash: data.contentHash,
            relevant: classification?.data.relevant ?? null,
            relevance: classification?.data.relevance ?? null,
            rules_version: classification?.data.rulesVersion ?? null,
            classified_at: classification?.classifiedAt ?? null,
            classification: classification?.data ?? null,
            last_sequence: lastSequence,
          })),
        ),
      );
    }
    if (writes.articleClassifications.length > 0) {
      script.add(
        `UPDATE articles a SET relevant = r.relevant, relevance = r.relevance, rules_version = r.rules_version,
                classified_at = r.classified_at, classification = r.classification::jsonb,
                last_sequence = r.last_sequence
           FROM json_to_recordset($1::json) AS r(id text, relevant boolean, relevance double precision,
                rules_version text, classified_at timestamptz, classification json, last_sequence bigint)
          WHERE a.id = r.id AND a.last_sequence < r.last_sequence`,
        toJson(
          writes.articleClassifications.map(({ id, data, classifiedAt, lastSequence }) => ({
            id,
            relevant: data.relevant,
            relevance: data.relevance,
            rules_version: data.rulesVersion,
            classified_at: classifiedAt,
            classification: data,
            last_sequence: lastSequence,
          })),
        ),
      );
    }
    if (writes.articleFeeds.length > 0) {
      script.add(
        `INSERT INTO article_feeds (article_id, feed_url, url, guid, first_seen_at, last_sequence)
         SELECT article_id, feed_url, url, guid, first_seen_at, last_sequence
           FROM json_to_recordset($1::json) AS r(article_id text, feed_url text, url text, guid text,
                first_seen_at timestamptz, last_sequence bigint)
         ON CONFLICT (article_id, feed_url) DO NOTHING`,
        toJson(
          writes.articleFeeds.map((f) => ({
            article_id: f.articleId,
            feed_url: f.feedUrl,
            url: f.url,
            guid: f.guid,
            first_seen_at: f.firstSeenAt,
            last_sequence: f.lastSequence,
          })),
        ),
      );
    }
    if (writes.events.length > 0) {
      script.add(
        `INSERT INTO diplomatic_events (id, type, countries, actors, confidence, summary, start_date, end_date,
                                        event_date, place, topics, rules_version, first_seen_at, last_seen_at,
                                        source_count, last_sequence)
         SELECT r.id, r.type, r.countries, r.actors::jsonb, r.confidence, r.summary, r.start_date, r.end_date,
                r.event_date, r.place, r.topics, r.rules_version, r.first_seen_at, r.last_seen_at, r.source_count,
                r.last_sequence
           FROM json_to_recordset($1::json) AS r(id text, type text, countries text[], actors json,
                confidence double precision, summary text, start_date date, end_date date, event_date date,
                place text, topics text[], rules_version text, first_seen_at timestamptz,
                last_seen_at timestamptz, source_count integer, last_sequence bigint)
         ON CONFLICT (id) DO UPDATE SET
           type = EXCLUDED.type, countries = EXCLUDED.countries, actors = EXCLUDED.actors,
           confidence = EXCLUDED.confidence, summary = EXCLUDED.summary, start_date = EXCLUDED.start_date,
           end_date = EXCLUDED.end_date, event_date = EXCLUDED.event_date, place = EXCLUDED.place,
           topics = EXCLUDED.topics, rules_version = EXCLUDED.rules_version,
           first_seen_at = EXCLUDED.first_seen_at, last_seen_at = EXCLUDED.last_seen_at,
           source_count = EXCLUDED.source_count, last_sequence = EXCLUDED.last_sequence`,
        toJson(
          writes.events.map((view) => ({
            id: view.id,
            type: view.type,
            countries: view.countries,
            actors: view.actors,
            confidence: view.confidence,
            summary: view.summary,
            start_date: view.startDate,
            end_date: view.endDate,
            event_date: view.eventDate,
            place: view.place,
            topics: view.topics,
            rules_version: view.rulesVersion,
            first_seen_at: view.firstSeenAt,
            last_seen_at: view.lastSeenAt,
            source_count: view.sourceCount,
            last_sequence: view.lastSequence,
          })),
        ),
      );
      // The search documents live in a table of their own (event_search_documents), written
      // only when a document changes: the event row above is rewritten by every report, and
      // with the document on it each rewrite recomputed the generated pairs and added GIN
      // entries. A document is made from the event's stored sources and the batch's new ones
      // (their articles are written above, the sources below). An event whose document
      // already holds its first SEARCH_DOCUMENT_SOURCES sources keeps it, unread, when the
      // batch's sources all sort after them (the document cannot change; revised texts are
      // handled below): a much-reported event does not re-read 50 articles per report.
      // `d` is MATERIALIZED: inlined, the planner pushed `document IS NOT NULL` below the
      // keep rule and made every event's document, kept or not.
      script.add(
        `WITH n AS MATERIALIZED (
           SELECT * FROM json_to_recordset($2::json) AS n(diplomatic_event_id text, article_id text)
         ), d AS MATERIALIZED (
           SELECT r.id,
                  ${SEARCH_DOCUMENT(`SELECT s.article_id FROM diplomatic_event_sources s WHERE s.diplomatic_event_id = r.id
                            UNION ALL SELECT n.article_id FROM n WHERE n.diplomatic_event_id = r.id`)} AS document
             FROM json_array_elements_text($1::json) AS r(id)
             LEFT JOIN event_search_documents e ON e.diplomatic_event_id = r.id
            WHERE e.diplomatic_event_id IS NULL
               OR EXISTS (SELECT 1 FROM n WHERE n.diplomatic_event_id = r.id
                             AND n.article_id <= ALL (
                               SELECT s.article_id FROM diplomatic_event_sources s WHERE s.diplomatic_event_id = r.id
                                ORDER BY s.article_id OFFSET ${SEARCH_DOCUMENT_SOURCES - 1} LIMIT 1))
         )
         ${WRITE_CHANGED_DOCUMENTS}`,
        toJson(writes.events.map((view) => view.id)),
        toJson(
          writes.sources.map((s) => ({ diplomatic_event_id: s.diplomaticEventId, article_id: s.articleId })),
        ),
      );
    }
    if (writes.aliases.length > 0) {
      script.add(
        `INSERT INTO diplomatic_event_aliases (alias, diplomatic_event_id, first_sequence)
         SELECT alias, diplomatic_event_id, first_sequence
           FROM json_to_recordset($1::json) AS r(alias text, diplomatic_event_id text, first_sequence bigint)
         ON CONFLICT (alias) DO NOTHING`,
        toJson(
          writes.aliases.map((a) => ({
            alias: a.alias,
            diplomatic_event_id: a.diplomaticEventId,
            first_sequence: a.firstSequence,
          })),
        ),
      );
    }
    if (writes.sources.length > 0) {
      script.add(
        `INSERT INTO diplomatic_event_sources (diplomatic_event_id, article_id, confidence, evidence, context,
                                               detected_at, last_sequence, feed_urls, published_at)
         SELECT r.diplomatic_event_id, r.article_id, r.confidence, r.evidence::jsonb, r.context::jsonb,
                r.detected_at, r.last_sequence, ${ARTICLE_FEEDS('r.article_id')}, a.published_at
           FROM json_to_recordset($1::json) AS r(diplomatic_event_id text, article_id text,
                confidence double precision, evidence json, context json, detected_at timestamptz,
                last_sequence bigint)
           JOIN articles a ON a.id = r.article_id
         ON CONFLICT (diplomatic_event_id, article_id) DO UPDATE SET
           confidence = EXCLUDED.confidence, evidence = EXCLUDED.evidence, context = EXCLUDED.context,
           detected_at = EXCLUDED.detected_at, last_sequence = EXCLUDED.last_sequence
         WHERE diplomatic_event_sources.last_sequence < EXCLUDED.last_sequence`,
        toJson(
          writes.sources.map((s) => ({
            diplomatic_event_id: s.diplomaticEventId,
            article_id: s.articleId,
            confidence: s.data.confidence,
            evidence: s.data.evidence,
            context: s.data.context,
            detected_at: s.detectedAt,
            last_sequence: s.lastSequence,
          })),
        ),
      );
    }
    if (revisited.length > 0) {
      // Only rows whose copies differ: a revision that kept the feeds and publication time
      // leaves the source rows (and their GIN-indexed feed_urls) alone.
      script.add(
        `UPDATE diplomatic_event_sources s SET feed_urls = f.feed_urls, published_at = f.published_at
           FROM (SELECT s2.diplomatic_event_id, s2.article_id, ${ARTICLE_FEEDS('s2.article_id')} AS feed_urls,
                        a.published_at
                   FROM diplomatic_event_sources s2 JOIN articles a ON a.id = s2.article_id
                  WHERE s2.article_id IN (SELECT json_array_elements_text($1::json))) f
          WHERE s.diplomatic_event_id = f.diplomatic_event_id AND s.article_id = f.article_id
            AND (s.feed_urls, s.published_at) IS DISTINCT FROM (f.feed_urls, f.published_at)`,
        toJson(revisited),
      );
    }
    if (revisedTexts.length > 0) {
      // Events with a source article whose title or text the batch revised: their documents
      // again (after the sources above, so a new source counts), written only where they
      // changed (a revision that kept title and text, a source beyond the first
      // SEARCH_DOCUMENT_SOURCES, an event whose document the batch already rewrote): no new
      // row version, no GIN churn. Also the batch's own events, whose document may have been
      // kept above. (MATERIALIZED: each document made once, not again for the null check.)
      script.add(
        `WITH d AS MATERIALIZED (
           SELECT ids.id,
                  ${SEARCH_DOCUMENT('SELECT s.article_id FROM diplomatic_event_sources s WHERE s.diplomatic_event_id = ids.id')}
                    AS document
             FROM (SELECT DISTINCT s.diplomatic_event_id AS id FROM diplomatic_event_sources s
                    WHERE s.article_id IN (SELECT json_array_elements_text($1::json))) ids
         )
         ${WRITE_CHANGED_DOCUMENTS}`,
        toJson(revisedTexts),
      );
    }
    if (writes.versions.length > 0) {
      const validUntil = validUntilInBatch(writes.versions);
      const versions = toJson(
        writes.versions.map((v) => ({
          valid_until: validUntil.get(v) ?? null,
          diplomatic_event_id: v.diplomaticEventId,
          version: v.version,
          recorded_at: v.recordedAt,
          stream_sequence: v.streamSequence,
          change: v.change,
          state: v.state,
          type: v.state.type,
          countries: v.state.countries,
          event_date: v.state.eventDate,
          confidence: v.state.confidence,
        })),
      );
      script.add(
        `INSERT INTO diplomatic_event_versions (diplomatic_event_id, version, recorded_at, stream_sequence, change, state,
                                                type, countries, event_date, confidence, valid_until)
         SELECT diplomatic_event_id, version, recorded_at, stream_sequence, change, state::jsonb,
                type, countries, event_date, confidence, valid_until
           FROM json_to_recordset($1::json) AS r(diplomatic_event_id text, version integer,
                recorded_at timestamptz, stream_sequence bigint, change text, state json, type text,
                countries text[], event_date date, confidence double precision, valid_until timestamptz)
         ON CONFLICT (diplomatic_event_id, version) DO NOTHING`,
        versions,
      );
      // Each earlier version stops being the answer to asOf at the earliest recorded_at of
      // the versions after it (occurredAt need not grow with the version number), and never
      // before its own recorded_at: [recorded_at, valid_until) is then empty, never the answer.
      // The batch's own versions already have it (validUntilInBatch): only earlier ones change.
      script.add(
        `UPDATE diplomatic_event_versions v SET valid_until = GREATEST(v.recorded_at, u.until)
           FROM (SELECT o.diplomatic_event_id, o.version, min(r.recorded_at) AS until
                   FROM json_to_recordset($1::json) AS r(diplomatic_event_id text, version integer,
                        recorded_at timestamptz)
                   JOIN diplomatic_event_versions o
                     ON o.diplomatic_event_id = r.diplomatic_event_id AND o.version < r.version
                    AND (o.valid_until IS NULL OR o.valid_until > r.recorded_at)
                  GROUP BY o.diplomatic_event_id, o.version) u
          WHERE v.diplomatic_event_id = u.diplomatic_event_id AND v.version = u.version
            AND (v.valid_until IS NULL OR v.valid_until > GREATEST(v.recorded_at, u.until))`,
        versions,
      );
    }
    if (writes.dailyCounts.length > 0) {
      const deltas = toJson(
        writes.dailyCounts.map((d) => ({
          day: d.day,
          country_a: d.countryA,
          country_b: d.countryB,
          type: d.type,
          events: d.events,
          sources: d.sources,
        })),
      );
      script.add(
        `INSERT INTO diplomatic_event_counts_daily AS c (day, country_a, country_b, type, events, sources)
         SELECT day, country_a, country_b, type, events, sources
           FROM json_to_recordset($1::json) AS r(day date, country_a text, country_b text, type text,
                events integer, sources integer)
         ON CONFLICT (day, country_a, country_b, type) DO UPDATE
           SET events = c.events + EXCLUDED.events, sources = c.sources + EXCLUDED.sources`,
        deltas,
      );
      // Cells no event counts in any more (an event moved to another day or lost a country).
      if (writes.dailyCounts.some((d) => d.events < 0)) {
        script.add(
          `DELETE FROM diplomatic_event_counts_daily c
            USING json_to_recordset($1::json) AS r(day date, country_a text, country_b text, type text, events integer)
            WHERE r.events < 0 AND c.day = r.day AND c.country_a = r.country_a AND c.country_b = r.country_b
              AND c.type = r.type AND c.events = 0`,
          deltas,
        );
      }
    }
    addCountryCounts(script, writes.countryCounts);
    if (writes.checkpoint !== null) {
      script.add(
        `INSERT INTO projection_checkpoints (name, last_sequence, updated_at)
         VALUES ($1, $2::bigint, now())
         ON CONFLICT (name) DO UPDATE
           SET last_sequence = GREATEST(projection_checkpoints.last_sequence, EXCLUDED.last_sequence),
               updated_at = now()`,
        READ_MODEL_PROJECTION,
        writes.checkpoint,
      );
    }
  }
}
