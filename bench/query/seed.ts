// Seeds a fresh database for the query bench: migrations applied, then generated rows loaded
// in multi-row batches (unnest of arrays, one statement per table per batch) by two
// connections in parallel, with the secondary indexes dropped during the load and rebuilt
// after it (one sort per index instead of a million insertions), then VACUUM ANALYZE.
import { Client } from 'pg';
import { type ArticleRow, type EventRow, type TextVariant, generateArticle, generateEvent } from './generate';

const TABLES = [
  'articles',
  'article_feeds',
  'diplomatic_events',
  'event_search_documents',
  'diplomatic_event_sources',
  'diplomatic_event_versions',
  'diplomatic_event_counts_daily',
  'diplomatic_event_country_counts_daily',
];
const EVENTS_PER_BATCH = 1000;
const ARTICLES_PER_BATCH = 5000;
const WORKERS = 2;

const SEARCH_DOCUMENTS = `
  INSERT INTO event_search_documents (diplomatic_event_id, search_vector)
  SELECT s.diplomatic_event_id,
         to_tsvector('english'::regconfig, string_agg(a.title || ' ' || a.text, ' ' ORDER BY a.id))
    FROM diplomatic_event_sources s JOIN articles a ON a.id = s.article_id
   GROUP BY s.diplomatic_event_id`;

const DAILY_COUNTS = `
  INSERT INTO diplomatic_event_counts_daily (day, country_a, country_b, type, events, sources)
  SELECT e.event_date, a.country, b.country, e.type, count(*)::int, sum(e.source_count)::int
    FROM diplomatic_events e
   CROSS JOIN LATERAL unnest(e.countries) AS a(country)
   CROSS JOIN LATERAL unnest(e.countries) AS b(country)
   WHERE a.country < b.country
   GROUP BY e.event_date, a.country, b.country, e.type`;

const COUNTRY_COUNTS = `
  INSERT INTO diplomatic_event_country_counts_daily (day, country, events)
  SELECT e.event_date, c.country, count(*)::int
    FROM diplomatic_events e
   CROSS JOIN LATERAL (SELECT DISTINCT unnest(e.countries)) AS c(country)
   GROUP BY e.event_date, c.country`;

export type SeedCounts = { articles: number; events: number; sources: number; versions: number };

async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  // A bench database: losing the last commits in a crash costs nothing.
  await client.query('SET synchronous_commit = off');
  return client;
}

/** Articles, and the feed each was found in (article_feeds), in one statement. */
async function insertArticles(db: Client, rows: ArticleRow[], firstSequence: number): Promise<void> {
  await db.query(
    `WITH inserted AS (
       INSERT INTO articles (id, url, canonical_url, feed_url, title, text, published_at, ingested_at, content_hash,
                             relevant, relevance, rules_version, classified_at, classification, last_sequence)
       SELECT u.id, u.url, u.url, u.feed, t.title, t.text || ' ' || u.sentence, u.published,
              u.published + interval '5 minutes', md5(u.id), u.relevant, CASE WHEN u.relevant THEN 0.8 ELSE 0.05 END,
              '1.0.0', u.published + interval '6 minutes',
              CASE WHEN u.relevant THEN jsonb_build_object('articleId', u.id, 'relevant', true, 'rulesVersion', '1.0.0',
                                                           'watch', 'russia-sea') END,
              u.seq
       FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::timestamptz[], $6::bool[], $7::text[], $8::bigint[])
            AS u(id, variant, sentence, feed, published, relevant, url, seq)
       JOIN bench_texts t ON t.idx = u.variant
       RETURNING id, feed_url, url, ingested_at, last_sequence)
     INSERT INTO article_feeds (article_id, feed_url, url, first_seen_at, last_sequence)
     SELECT id, feed_url, url, ingested_at, last_sequence FROM inserted`,
    [
      rows.map((row) => row.id),
      rows.map((row) => row.variant),
      rows.map((row) => row.sentence),
      rows.map((row) => row.feedUrl),
      rows.map((row) => row.publishedAt),
      rows.map((row) => row.relevant),
      rows.map((row) => `${row.feedUrl.replace(/\/rss\/.*$/, '')}/news/${row.id}`),
      rows.map((_, index) => firstSequence + index),
    ],
  );
}

/** The earliest recorded_at of the later versions, never before the version's own (the projector's rule). */
function validUntil(recordedAt: Date, later: Array<{ recordedAt: Date }>): Date | null {
  if (later.length === 0) return null;
  const earliest = Math.min(...later.map((version) => version.recordedAt.getTime()));
  return new Date(Math.max(recordedAt.getTime(), earliest));
}

async function insertEvents(db: Client, events: EventRow[]): Promise<void> {
  await insertArticles(
    db,
    events.flatMap((event) => event.sources.map((source) => source.article)),
    events[0]!.view.lastSequence,
  );
  const views = events.map((event) => event.view);
  await db.query(
    `INSERT INTO diplomatic_events (id, type, countries, actors, confidence, summary, start_date, end_date, event_date,
                                    place, topics, rules_version, first_seen_at, last_seen_at, source_count, last_sequence)
     SELECT u.id, u.type, string_to_array(u.countries, ','), u.actors::jsonb, u.confidence, u.summary, u.start_date,
            NULL, u.event_date, u.place, string_to_array(u.topics, ','), '1.0.0', u.first_seen, u.last_seen,
            u.source_count, u.seq
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::text[], $7::date[], $8::date[],
                 $9::text[], $10::text[], $11::timestamptz[], $12::timestamptz[], $13::int[], $14::bigint[])
          AS u(id, type, countries, actors, confidence, summary, start_date, event_date, place, topics, first_seen,
               last_seen, source_count, seq)`,
    [
      views.map((view) => view.id),
      views.map((view) => view.type),
      views.map((view) => view.countries.join(',')),
      views.map((view) => JSON.stringify(view.actors)),
      views.map((view) => view.confidence),
      views.map((view) => view.summary),
      views.map((view) => view.startDate),
      views.map((view) => view.eventDate),
      views.map((view) => view.place),
      views.map((view) => view.topics.join(',')),
      views.map((view) => view.firstSeenAt),
      views.map((view) => view.lastSeenAt),
      views.map((view) => view.sourceCount),
      views.map((view) => view.lastSequence),
    ],
  );
  // As the projector writes them: the state's filterable fields copied, and each version
  // valid until the earliest recorded_at of the versions after it.
  const versions = events.flatMap((event) =>
    event.versions.map((version, index) => ({
      id: event.view.id,
      number: index + 1,
      ...version,
      validUntil: validUntil(version.recordedAt, event.versions.slice(index + 1)),
    })),
  );
  await db.query(
    `INSERT INTO diplomatic_event_versions (diplomatic_event_id, version, recorded_at, stream_sequence, change, state,
                                            valid_until, type, countries, event_date, confidence)
     SELECT u.id, u.version, u.recorded_at, u.seq, u.change, u.state, u.valid_until, u.state->>'type',
            ARRAY(SELECT jsonb_array_elements_text(u.state->'countries')), (u.state->>'eventDate')::date,
            (u.state->>'confidence')::float8
     FROM unnest($1::text[], $2::int[], $3::timestamptz[], $4::bigint[], $5::text[], $6::jsonb[], $7::timestamptz[])
          AS u(id, version, recorded_at, seq, change, state, valid_until)`,
    [
      versions.map((version) => version.id),
      versions.map((version) => version.number),
      versions.map((version) => version.recordedAt),
      versions.map((version) => version.state.lastSequence),
      versions.map((version) => version.change),
      versions.map((version) => JSON.stringify(version.state)),
      versions.map((version) => version.validUntil),
    ],
  );
  const sources = events.flatMap((event) =>
    event.sources.map((source) => ({ id: event.view.id, ...source })),
  );
  await db.query(
    `INSERT INTO diplomatic_event_sources (diplomatic_event_id, article_id, confidence, evidence, context, detected_at,
                                          feed_urls, published_at)
     SELECT u.id, u.article, u.confidence, jsonb_build_array(jsonb_build_object('sentence', u.sentence,
              'rules', jsonb_build_array('bench'))), '[]'::jsonb, u.detected, ARRAY[u.feed], u.published
     FROM unnest($1::text[], $2::text[], $3::float8[], $4::text[], $5::timestamptz[], $6::text[], $7::timestamptz[])
          AS u(id, article, confidence, sentence, detected, feed, published)`,
    [
      sources.map((source) => source.id),
      sources.map((source) => source.article.id),
      sources.map((source) => source.confidence),
      sources.map((source) => source.article.sentence),
      sources.map((source) => source.detectedAt),
      sources.map((source) => source.article.feedUrl),
      sources.map((source) => source.article.publishedAt),
    ],
  );
}

/** Runs `work(batch)` for batches 0..count-1 on WORKERS connections. */
async function inParallel(url: string, count: number, work: (db: Client, batch: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      const db = await connect(url);
      try {
        for (let batch = next++; batch < count; batch = next++) await work(db, batch);
      } finally {
        await db.end();
      }
    }),
  );
}

export async function seed(
  url: string,
  options: { articles: number; events: number; variants: TextVariant[]; log: (line: string) => void },
): Promise<SeedCounts> {
  const admin = await connect(url);
  try {
    // Secondary indexes: dropped now, rebuilt from their own definitions after the load.
    const { rows: indexes } = await admin.query<{ name: string; definition: string }>(
      `SELECT i.indexname AS name, i.indexdef AS definition
       FROM pg_indexes i
       WHERE i.schemaname = 'public' AND i.tablename = ANY($1)
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
      [TABLES],
    );
    for (const index of indexes) await admin.query(`DROP INDEX "${index.name}"`);
    await admin.query(
      'CREATE TABLE bench_texts (idx int PRIMARY KEY, title text NOT NULL, text text NOT NULL)',
    );
    await admin.query('INSERT INTO bench_texts SELECT * FROM unnest($1::int[], $2::text[], $3::text[])', [
      options.variants.map((variant) => variant.index),
      options.variants.map((variant) => variant.title),
      options.variants.map((variant) => variant.text),
    ]);

    let sourceArticles = 0;
    let background = 0;
    let versions = 0;
    const eventBatches = Math.ceil(options.events / EVENTS_PER_BATCH);
    const articlesPerEvent = options.articles / options.events;
    const started = Date.now();
    // Each batch: 1,000 events with their source articles, then background articles up to
    // the articles-per-event ratio, so sources and the rest interleave on disk as they would
    // in a real feed history.
    await inParallel(url, eventBatches, async (db, batch) => {
      const events: EventRow[] = [];
      const first = batch * EVENTS_PER_BATCH;
      const last = Math.min(options.events, first + EVENTS_PER_BATCH);
      // Source articles are numbered n * 5 + s: each event has at most 5.
      for (let n = first; n < last; n++) events.push(generateEvent(n, n * 5, options.variants));
      await insertEvents(db, events);
      const sources = events.reduce((sum, event) => sum + event.sources.length, 0);
      sourceArticles += sources;
      versions += events.reduce((sum, event) => sum + event.versions.length, 0);
      const wanted = Math.max(0, Math.round((last - first) * articlesPerEvent) - sources);
      // Background articles are numbered after every possible source article.
      const base = options.events * 5 + first * Math.ceil(articlesPerEvent);
      for (let from = 0; from < wanted; from += ARTICLES_PER_BATCH) {
        const rows: ArticleRow[] = [];
        for (let k = from; k < Math.min(wanted, from + ARTICLES_PER_BATCH); k++) {
          rows.push(generateArticle(base + k, options.variants));
        }
        await insertArticles(db, rows, 10 * options.events + base + from);
      }
      background += wanted;
      if (batch % 10 === 9)
        options.log(
          `events: ${(batch + 1) * EVENTS_PER_BATCH}, articles: ${sourceArticles + background} (${Math.round((Date.now() - started) / 1000)} s)`,
        );
    });
    await admin.query('DROP TABLE bench_texts');
    // Each event's search document, as the projector computes it (apps/projector, read-model.writer.ts).
    options.log('search documents');
    await admin.query(SEARCH_DOCUMENTS);
    // The time series the projector keeps (diplomatic_event_counts_daily), from the events.
    await admin.query(DAILY_COUNTS);
    await admin.query(COUNTRY_COUNTS);

    options.log(`rebuilding ${indexes.length} indexes`);
    await admin.query(`SET maintenance_work_mem = '256MB'`);
    for (const index of indexes) await admin.query(index.definition);
    for (const table of TABLES) await admin.query(`VACUUM ANALYZE ${table}`);
    return {
      articles: sourceArticles + background,
      events: options.events,
      sources: sourceArticles,
      versions,
    };
  } finally {
    await admin.end();
  }
}
