// Test support: read-model rows written straight to Postgres, shaped as the projector writes
// them (diplomatic_events holds the latest version's state; diplomatic_event_versions every one).
import { type Actor } from '@diplowatch/contracts';
import { type DiplomaticEventView } from '@diplowatch/domain';
import { type Client } from 'pg';

export type ArticleFixture = {
  id: string;
  title: string;
  text: string;
  feedUrl?: string;
  publishedAt?: string | null;
  /** More feeds the same article was found in (article_feeds). */
  alsoIn?: string[];
};

export type EventFixture = {
  id: string;
  /** States in log order, each with when the log recorded it; the last is the current row. */
  versions: Array<{ recordedAt: string; change?: string; state: Partial<DiplomaticEventView> }>;
  sources?: Array<{ articleId: string; detectedAt: string; confidence?: number }>;
};

export const actor = (name: string, country: string | null = null): Actor => ({
  name,
  office: null,
  country,
  role: 'actor',
});

export async function insertArticles(db: Client, articles: ArticleFixture[]): Promise<void> {
  for (const article of articles) {
    await db.query(
      `INSERT INTO articles (id, url, canonical_url, feed_url, title, text, published_at, ingested_at,
                             content_hash, relevant, classification, last_sequence)
       VALUES ($1, $2, $2, $3, $4, $5, $6, now(), 'h', true, $7, 1)`,
      [
        article.id,
        `https://news.example.org/${article.id}`,
        article.feedUrl ?? 'https://news.example.org/feed.xml',
        article.title,
        article.text,
        article.publishedAt ?? null,
        JSON.stringify({ articleId: article.id, relevant: true, rulesVersion: '1.0.0' }),
      ],
    );
    for (const feedUrl of [
      article.feedUrl ?? 'https://news.example.org/feed.xml',
      ...(article.alsoIn ?? []),
    ]) {
      await db.query(
        `INSERT INTO article_feeds (article_id, feed_url, url, first_seen_at, last_sequence) VALUES ($1, $2, $3, now(), 1)`,
        [article.id, feedUrl, `https://news.example.org/${article.id}`],
      );
    }
  }
}

/** The full view each version stores: defaults, then every earlier version's fields, then its own. */
function views(event: EventFixture): DiplomaticEventView[] {
  let view: DiplomaticEventView = {
    id: event.id,
    type: 'visit',
    countries: ['RUS'],
    actors: [],
    confidence: 0.5,
    summary: `summary of ${event.id}`,
    startDate: null,
    endDate: null,
    eventDate: '2025-01-01',
    place: null,
    topics: [],
    rulesVersion: '1.0.0',
    firstSeenAt: event.versions[0]!.recordedAt,
    lastSeenAt: event.versions[0]!.recordedAt,
    sourceCount: 1,
    lastSequence: 0,
  };
  return event.versions.map((version, index) => {
    view = { ...view, lastSeenAt: version.recordedAt, ...version.state, lastSequence: index + 1 };
    return view;
  });
}

export async function insertEvents(db: Client, events: EventFixture[]): Promise<void> {
  for (const event of events) {
    const states = views(event);
    const current = states.at(-1)!;
    await db.query(
      `INSERT INTO diplomatic_events (id, type, countries, actors, confidence, summary, start_date, end_date,
         event_date, place, topics, rules_version, first_seen_at, last_seen_at, source_count, last_sequence)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
      [
        current.id,
        current.type,
        current.countries,
        JSON.stringify(current.actors),
        current.confidence,
        current.summary,
        current.startDate,
        current.endDate,
        current.eventDate,
        current.place,
        current.topics,
        current.rulesVersion,
        current.firstSeenAt,
        current.lastSeenAt,
        current.sourceCount,
        current.lastSequence,
      ],
    );
    for (const [index, state] of states.entries()) {
      const version = event.versions[index]!;
      await db.query(
        `INSERT INTO diplomatic_event_versions (diplomatic_event_id, version, recorded_at, stream_sequence, change, state,
                                                type, countries, event_date, confidence)
         SELECT $1, $2, $3, $4, $5, $6::jsonb, $6::jsonb->>'type',
                ARRAY(SELECT jsonb_array_elements_text($6::jsonb->'countries')), ($6::jsonb->>'eventDate')::date,
                ($6::jsonb->>'confidence')::float8`,
        [
          event.id,
          index + 1,
          version.recordedAt,
          index + 1,
          version.change ?? (index === 0 ? 'created' : 'source_added'),
          JSON.stringify(state),
        ],
      );
    }
    // As the projector keeps it: each version valid until the earliest recorded_at after it.
    await db.query(
      `UPDATE diplomatic_event_versions v
          SET valid_until = GREATEST(v.recorded_at, l.until)
         FROM (SELECT o.version, (SELECT min(l.recorded_at) FROM diplomatic_event_versions l
                                   WHERE l.diplomatic_event_id = o.diplomatic_event_id AND l.version > o.version) AS until
                 FROM diplomatic_event_versions o WHERE o.diplomatic_event_id = $1) l
        WHERE v.diplomatic_event_id = $1 AND v.version = l.version AND l.until IS NOT NULL`,
      [event.id],
    );
    for (const source of event.sources ?? []) {
      // The article's feeds and publication time copied onto the source, as the projector does.
      await db.query(
        `INSERT INTO diplomatic_event_sources (diplomatic_event_id, article_id, confidence, evidence, context, detected_at,
                                              feed_urls, published_at)
         SELECT $1, $2, $3, $4, '[]', $5,
                ARRAY(SELECT f.feed_url FROM article_feeds f WHERE f.article_id = a.id ORDER BY f.feed_url),
                a.published_at
           FROM articles a WHERE a.id = $2`,
        [
          event.id,
          source.articleId,
          source.confidence ?? current.confidence,
          JSON.stringify([{ sentence: `evidence for ${event.id}`, rules: ['fixture'] }]),
          source.detectedAt,
        ],
      );
    }
    // Its search document, as the projector keeps it (a row of its own).
    await db.query(
      `INSERT INTO event_search_documents (diplomatic_event_id, search_vector)
       SELECT s.diplomatic_event_id,
              to_tsvector('english'::regconfig, string_agg(a.title || ' ' || a.text, ' ' ORDER BY a.id))
         FROM diplomatic_event_sources s JOIN articles a ON a.id = s.article_id
        WHERE s.diplomatic_event_id = $1
        GROUP BY s.diplomatic_event_id
       ON CONFLICT (diplomatic_event_id) DO UPDATE SET search_vector = EXCLUDED.search_vector`,
      [event.id],
    );
  }
  // The daily time series the projector keeps, recounted from all the events.
  await db.query('DELETE FROM diplomatic_event_counts_daily');
  await db.query(
    `INSERT INTO diplomatic_event_counts_daily (day, country_a, country_b, type, events, sources)
     SELECT e.event_date, a.country, b.country, e.type, count(*)::int, sum(e.source_count)::int
       FROM diplomatic_events e
      CROSS JOIN LATERAL unnest(e.countries) AS a(country)
      CROSS JOIN LATERAL unnest(e.countries) AS b(country)
      WHERE a.country < b.country
      GROUP BY e.event_date, a.country, b.country, e.type`,
  );
  await db.query('DELETE FROM diplomatic_event_country_counts_daily');
  await db.query(
    `INSERT INTO diplomatic_event_country_counts_daily (day, country, events)
     SELECT e.event_date, c.country, count(*)::int
       FROM diplomatic_events e
      CROSS JOIN LATERAL (SELECT DISTINCT unnest(e.countries)) AS c(country)
      GROUP BY e.event_date, c.country`,
  );
}
