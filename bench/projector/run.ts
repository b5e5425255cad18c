// Projector throughput: events projected per second into Postgres, checkpoint included, through
// the real path (JetStream durable consumer in batch mode -> ReadModelWriter, one transaction
// per batch), beside a baseline measured in the same run: raw `pg` upserting the same rows in
// batches of the same size (multi-row unnest upserts, one transaction per batch with the
// checkpoint), with no reads, no consolidation and no NATS. Events are generated from the
// development texts (articles, their classifications, diplomatic events for the relevant ones,
// several reports per act). Prints a report, then its figures as one JSON line (the last line).
//
//   npm run bench:projector [-- --events 40000] [--batch 500] [--file PATH] [--synchronous-commit off]
//
// `--synchronous-commit off` commits both sides' transactions without waiting for the WAL
// flush (the projector's PROJECTOR_SYNCHRONOUS_COMMIT=off; see docs/read-models.md).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import {
  type DiplomaticEventType,
  type NewsEvent,
  createEvent,
  diplomaticEventTypes,
  topology,
} from '@diplowatch/contracts';
import { EventConsumer, EventPublisher, ensureDurableConsumer, ensureStreams } from '@diplowatch/messaging';
import { createTestDatabase } from '../../libs/testing/src/database';
import { ReadModelDatabase } from '../../apps/projector/src/read-model.database';
import { READ_MODEL_PROJECTION, ReadModelWriter } from '../../apps/projector/src/read-model.writer';
import { repoRoot } from '../../scripts/lib/app-processes';

const arg = (name: string): string | undefined => {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
// The projector's largest batch (500). Smaller (`--batch 50`), more reports of an act land in
// a later batch than its first, and update its row, as at a steady 1,000 articles/s.
const BATCH = Number(arg('batch') ?? 500);
const log = (line: string) => process.stderr.write(`${line}\n`);

type DevItem = { id: string; title: string; text: string; published: string | null };

const SEA = ['IDN', 'MYS', 'VNM', 'THA', 'PHL', 'SGP', 'MMR', 'LAO', 'KHM', 'BRN', 'TLS'];
const OFFICIALS = [
  'Sergei Shoigu',
  'Sergey Lavrov',
  'Vladimir Putin',
  'Andrei Belousov',
  'Mikhail Mishustin',
];

/** A deterministic pseudo-random sequence, so every run projects the same log. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

/**
 * The log of `target` events: per feed poll, ~20 ArticleIngested, then per article its
 * ArticleClassified and, for about one in four, one or two DiplomaticEventDetected. Acts are
 * reported by 1–`maxReports` articles (4) with slightly different countries and dates.
 */
function generateLog(items: DevItem[], target: number, maxReports = 4): NewsEvent[] {
  const rnd = random(42);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)]!;
  const events: NewsEvent[] = [];
  const base = Date.parse('2025-01-01T00:00:00Z');
  let article = 0;
  let act = 0;
  let actState: {
    left: number;
    type: DiplomaticEventType;
    countries: string[];
    day: number;
    official: string;
  } = {
    left: 0,
    type: 'visit',
    countries: ['RUS', 'IDN'],
    day: 0,
    official: OFFICIALS[0]!,
  };
  while (events.length < target) {
    const poll: Array<{ id: string; hash: string; item: DevItem; day: number }> = [];
    for (let i = 0; i < 20; i++, article++) {
      const item = items[article % items.length]!;
      const day = Math.floor(article / 60);
      const id = `bench-${article}`;
      const hash = `h${article}`;
      poll.push({ id, hash, item, day });
      const publishedAt = new Date(base + day * 86_400_000 + (article % 60) * 60_000).toISOString();
      events.push(
        createEvent('ArticleIngested', {
          id: `ai-${id}`,
          occurredAt: new Date(publishedAt),
          data: {
            articleId: id,
            contentHash: hash,
            feedUrl: `https://feeds.example.org/${article % 11}.xml`,
            url: `https://news.example.org/${id}`,
            canonicalUrl: `https://news.example.org/${id}`,
            guid: null,
            title: `${item.title} (${article})`,
            text: item.text,
            rawContent: null,
            author: null,
            language: 'en',
            publishedAt,
            fetchedAt: publishedAt,
          },
        }),
      );
    }
    for (const { id, hash, day } of poll) {
      const relevant = rnd() < 0.25;
      const detections: NewsEvent[] = [];
      if (relevant) {
        for (let n = rnd() < 0.2 ? 2 : 1; n > 0; n--) {
          if (actState.left === 0) {
            act++;
            const countries = ['RUS', pick(SEA)];
            if (rnd() < 0.3) countries.push(pick(SEA));
            actState = {
              left: 1 + Math.floor(rnd() * maxReports),
              type: pick(diplomaticEventTypes),
              countries: [...new Set(countries)],
              day,
              official: pick(OFFICIALS),
            };
          }
          actState.left--;
          // Reports of one act differ: one omits a country, one gives no date.
          const countries = rnd() < 0.3 ? actState.countries.slice(0, 2) : actState.countries;
          const dated = rnd() < 0.6;
          const startDate = new Date(base + actState.day * 86_400_000).toISOString().slice(0, 10);
          const key = `act-${act}-${countries.join('')}-${dated ? startDate : 'w'}`;
          detections.push(
            createEvent('DiplomaticEventDetected', {
              id: `de-${key}-${id}`,
              occurredAt: new Date(base + day * 86_400_000 + 1000),
              data: {
                diplomaticEventId: key,
                articleId: id,
                watch: 'russia-sea',
                rulesVersion: '1',
                type: actState.type,
                countries,
                actors: [{ name: actState.official, office: null, country: 'RUS', role: 'actor' }],
                confidence: Math.round(rnd() * 100) / 100,
                summary: `${actState.type}: ${countries.join(', ')}`,
                startDate: dated ? startDate : null,
                endDate: null,
                place: null,
                topics: ['security'],
                evidence: [
                  { sentence: 'An evidence sentence of realistic length about the act.', rules: ['r'] },
                ],
                context: [],
                publishedAt: new Date(base + day * 86_400_000).toISOString(),
              },
            }),
          );
        }
      }
      events.push(
        createEvent('ArticleClassified', {
          id: `ac-${id}`,
          occurredAt: new Date(base + day * 86_400_000 + 500),
          data: {
            articleId: id,
            contentHash: hash,
            watch: 'russia-sea',
            rulesVersion: '1',
            relevant,
            relevance: relevant ? 0.8 : 0.1,
            eventTypes: [],
            countries: [],
            actors: [],
            diplomaticEventIds: detections.map(
              (d) => (d.data as { diplomaticEventId: string }).diplomaticEventId,
            ),
            context: [],
            evidence: [],
            reasons: [],
          },
        }),
        ...detections,
      );
    }
  }
  return events.slice(0, target);
}

const synchronousCommit = arg('synchronous-commit') !== 'off';

/**
 * CPU seconds (user + system) the Postgres backends `pids` have used since they started, read
 * from /proc: the server runs on this machine. null when it does not (no such processes here).
 */
function backendCpuSeconds(pids: number[]): number | null {
  let ticks = 0;
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return null;
    }
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / 100; // USER_HZ, 100 on Linux
}

/** The other sessions' backends on the reader's database (the projector's pool). */
async function otherBackends(reader: pg.Client): Promise<number[]> {
  const { rows } = await reader.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
        AND backend_type = 'client backend'`,
  );
  return rows.map((row) => row.pid);
}

type TableWrites = Record<string, { inserted: number; updated: number; hotUpdated: number }>;

/**
 * Row writes per event table, from the statistics: inserts, updates, and the updates that were
 * HOT (no new index entries). Read once the writers' backends are idle (they report within 1 s).
 */
async function tableWrites(reader: pg.Client): Promise<TableWrites> {
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const { rows } = await reader.query<{ relname: string; ins: string; upd: string; hot: string }>(
    `SELECT relname, n_tup_ins AS ins, n_tup_upd AS upd, n_tup_hot_upd AS hot FROM pg_stat_user_tables
      WHERE relname IN ('diplomatic_events', 'event_search_documents', 'diplomatic_event_sources')
      ORDER BY relname`,
  );
  return Object.fromEntries(
    rows.map((row) => [
      row.relname,
      { inserted: Number(row.ins), updated: Number(row.upd), hotUpdated: Number(row.hot) },
    ]),
  );
}

async function projectWithProjector(databaseUrl: string, log_: NewsEvent[]) {
  const namespace = `bench_${randomBytes(4).toString('hex')}`;
  const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222', noAsyncTraces: true });
  const t = topology(namespace);
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const database = new ReadModelDatabase({ databaseUrl, poolSize: 2, synchronousCommit });
  const reader = new pg.Client({ connectionString: databaseUrl });
  try {
    await ensureStreams(jsm, t, { duplicateWindowSeconds: 120, maxAgeDays: 0 });
    await new EventPublisher(js, t).publishAll(log_, 256);
    const lastSequence = (await jsm.streams.info(t.eventStream)).state.last_seq;
    await ensureDurableConsumer(jsm, {
      stream: t.eventStream,
      durable: 'bench',
      maxDeliver: 20,
      maxAckPending: 4 * BATCH,
    });
    await database.waitUntilReady();
    await reader.connect();
    const writer = new ReadModelWriter(database);
    const consumer = new EventConsumer({
      js,
      topology: t,
      durable: 'bench',
      maxDeliver: 20,
      logger: { log, warn: log, error: log },
      maxBatch: BATCH,
      batchSize: 2 * BATCH,
      batchHandler: async (batch) => {
        const t0 = performance.now();
        try {
          return await writer.applyBatch(batch);
        } finally {
          writerMs += performance.now() - t0;
          batches++;
        }
      },
    });
    let writerMs = 0;
    let batches = 0;
    const started = performance.now();
    await consumer.start();
    for (;;) {
      const { rows } = await reader.query<{ last_sequence: string }>(
        'SELECT last_sequence FROM projection_checkpoints WHERE name = $1',
        [READ_MODEL_PROJECTION],
      );
      if (rows[0] && Number(rows[0].last_sequence) >= lastSequence) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const seconds = (performance.now() - started) / 1000;
    const postgresCpuSeconds = backendCpuSeconds(await otherBackends(reader));
    await consumer.stop();
    const writes = await tableWrites(reader);
    const { rows: counts } = await reader.query<{ articles: string; events: string; sources: string }>(
      `SELECT (SELECT count(*) FROM articles) AS articles, (SELECT count(*) FROM diplomatic_events) AS events,
              (SELECT count(*) FROM diplomatic_event_sources) AS sources`,
    );
    return {
      seconds,
      writerSeconds: writerMs / 1000,
      batches,
      articles: Number(counts[0]!.articles),
      diplomaticEvents: Number(counts[0]!.events),
      sources: Number(counts[0]!.sources),
      postgresCpuSeconds,
      writes,
    };
  } finally {
    await jsm.streams.delete(t.eventStream).catch(() => undefined);
    await jsm.streams.delete(t.deadLetterStream).catch(() => undefined);
    await reader.end().catch(() => undefined);
    await database.onApplicationShutdown();
    await nc.drain();
  }
}

/** The same rows written with hand-written multi-row upserts over `pg`, a transaction per batch. */
async function projectWithRawPg(databaseUrl: string, log_: NewsEvent[]) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const { rows: own } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  if (!synchronousCommit) await client.query('SET synchronous_commit = off');
  const ingestedIn = new Map<string, number>();
  const versions = new Map<string, number>();
  const started = performance.now();
  try {
    for (let from = 0; from < log_.length; from += BATCH) {
      const batch = log_.slice(from, from + BATCH);
      const chunk = from / BATCH;
      const articles = new Map<string, Record<string, unknown>>();
      const classifications: Array<Record<string, unknown>> = [];
      const events = new Map<string, Record<string, unknown>>();
      const sources = new Map<string, Record<string, unknown>>();
      const versionRows: Array<Record<string, unknown>> = [];
      batch.forEach((event, i) => {
        const seq = from + i + 1;
        if (event.type === 'ArticleIngested') {
          ingestedIn.set(event.data.articleId, chunk);
          articles.set(event.data.articleId, { ...event.data, seq, classification: null });
        } else if (event.type === 'ArticleClassified') {
          const row = { ...event.data, seq, classifiedAt: event.occurredAt };
          const own = articles.get(event.data.articleId);
          if (own) Object.assign(own, { classification: row, seq });
          else classifications.push(row);
        } else if (event.type === 'DiplomaticEventDetected') {
          const d = event.data;
          const version = (versions.get(d.diplomaticEventId) ?? 0) + 1;
          versions.set(d.diplomaticEventId, version);
          events.set(d.diplomaticEventId, {
            ...d,
            seq,
            eventDate: d.startDate ?? d.publishedAt!.slice(0, 10),
            version,
          });
          sources.set(`${d.diplomaticEventId} ${d.articleId}`, { ...d, seq, detectedAt: event.occurredAt });
          versionRows.push({ id: d.diplomaticEventId, version, seq, recordedAt: event.occurredAt, state: d });
        }
      });
      await client.query('BEGIN');
      const a = [...articles.values()] as Array<any>;
      if (a.length > 0)
        await client.query(
          `INSERT INTO articles (id, url, canonical_url, guid, feed_url, title, text, raw_content, language, author,
             published_at, ingested_at, content_hash, relevant, relevance, rules_version, classified_at, classification, last_sequence)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
             $8::text[], $9::text[], $10::text[], $11::timestamptz[], $12::timestamptz[], $13::text[], $14::boolean[],
             $15::float8[], $16::text[], $17::timestamptz[], $18::jsonb[], $19::bigint[])
           ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, text = EXCLUDED.text,
             content_hash = EXCLUDED.content_hash, last_sequence = EXCLUDED.last_sequence
           WHERE articles.last_sequence < EXCLUDED.last_sequence`,
          [
            a.map((r) => r.articleId),
            a.map((r) => r.url),
            a.map((r) => r.canonicalUrl),
            a.map((r) => r.guid),
            a.map((r) => r.feedUrl),
            a.map((r) => r.title),
            a.map((r) => r.text),
            a.map((r) => r.rawContent),
            a.map((r) => r.language),
            a.map((r) => r.author),
            a.map((r) => r.publishedAt),
            a.map((r) => r.fetchedAt),
            a.map((r) => r.contentHash),
            a.map((r) => r.classification?.relevant ?? null),
            a.map((r) => r.classification?.relevance ?? null),
            a.map((r) => r.classification?.rulesVersion ?? null),
            a.map((r) => r.classification?.classifiedAt ?? null),
            a.map((r) => (r.classification ? JSON.stringify(r.classification) : null)),
            a.map((r) => r.seq),
          ],
        );
      if (a.length > 0)
        await client.query(
          `INSERT INTO article_feeds (article_id, feed_url, url, guid, first_seen_at, last_sequence)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::bigint[])
           ON CONFLICT DO NOTHING`,
          [
            a.map((r) => r.articleId),
            a.map((r) => r.feedUrl),
            a.map((r) => r.url),
            a.map((r) => r.guid),
            a.map((r) => r.fetchedAt),
            a.map((r) => r.seq),
          ],
        );
      const c = classifications as Array<any>;
      if (c.length > 0)
        await client.query(
          `UPDATE articles a SET relevant = r.relevant, relevance = r.relevance, rules_version = r.rv,
             classified_at = r.at, classification = r.c, last_sequence = r.seq
           FROM unnest($1::text[], $2::boolean[], $3::float8[], $4::text[], $5::timestamptz[], $6::jsonb[], $7::bigint[])
             AS r(id, relevant, relevance, rv, at, c, seq)
           WHERE a.id = r.id AND a.last_sequence < r.seq`,
          [
            c.map((r) => r.articleId),
            c.map((r) => r.relevant),
            c.map((r) => r.relevance),
            c.map((r) => r.rulesVersion),
            c.map((r) => r.classifiedAt),
            c.map((r) => JSON.stringify(r)),
            c.map((r) => r.seq),
          ],
        );
      const e = [...events.values()] as Array<any>;
      if (e.length > 0) {
        await client.query(
          `INSERT INTO diplomatic_events (id, type, countries, actors, confidence, summary, start_date, end_date, event_date,
             place, topics, rules_version, first_seen_at, last_seen_at, source_count, last_sequence)
           SELECT id, type, countries::text[], actors, confidence, summary, start_date, end_date, event_date, place,
             topics::text[], rv, seen, seen, 1, seq
           FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::float8[], $6::text[], $7::date[], $8::date[],
             $9::date[], $10::text[], $11::text[], $12::text[], $13::timestamptz[], $14::bigint[])
             AS r(id, type, countries, actors, confidence, summary, start_date, end_date, event_date, place, topics, rv, seen, seq)
           ON CONFLICT (id) DO UPDATE SET source_count = diplomatic_events.source_count + 1,
             last_seen_at = EXCLUDED.last_seen_at, last_sequence = EXCLUDED.last_sequence
           WHERE diplomatic_events.last_sequence < EXCLUDED.last_sequence`,
          [
            e.map((r) => r.diplomaticEventId),
            e.map((r) => r.type),
            e.map((r) => `{${r.countries.join(',')}}`),
            e.map((r) => JSON.stringify(r.actors)),
            e.map((r) => r.confidence),
            e.map((r) => r.summary),
            e.map((r) => r.startDate),
            e.map((r) => r.endDate),
            e.map((r) => r.eventDate),
            e.map((r) => r.place),
            e.map((r) => `{${r.topics.join(',')}}`),
            e.map((r) => r.rulesVersion),
            e.map((r) => r.publishedAt),
            e.map((r) => r.seq),
          ],
        );
        const cells = new Map<string, [string, string, string, string, number]>();
        for (const r of e) {
          const countries = [...new Set<string>(r.countries)].sort();
          for (let i = 0; i < countries.length; i++)
            for (let j = i + 1; j < countries.length; j++) {
              const key = `${r.eventDate} ${countries[i]} ${countries[j]} ${r.type}`;
              const cell = cells.get(key) ?? [r.eventDate, countries[i]!, countries[j]!, r.type, 0];
              cell[4]++;
              cells.set(key, cell);
            }
        }
        const c2 = [...cells.values()];
        await client.query(
          `INSERT INTO diplomatic_event_counts_daily AS c (day, country_a, country_b, type, events, sources)
           SELECT d, a, b, t, n, n FROM unnest($1::date[], $2::text[], $3::text[], $4::text[], $5::int[]) AS r(d, a, b, t, n)
           ON CONFLICT (day, country_a, country_b, type) DO UPDATE
             SET events = c.events + EXCLUDED.events, sources = c.sources + EXCLUDED.sources`,
          [
            c2.map((c) => c[0]),
            c2.map((c) => c[1]),
            c2.map((c) => c[2]),
            c2.map((c) => c[3]),
            c2.map((c) => c[4]),
          ],
        );
        const s = [...sources.values()] as Array<any>;
        await client.query(
          `INSERT INTO diplomatic_event_sources (diplomatic_event_id, article_id, confidence, evidence, context, detected_at,
             last_sequence, feed_urls, published_at)
           SELECT r.*, ARRAY(SELECT f.feed_url FROM article_feeds f WHERE f.article_id = r.aid), a.published_at
             FROM unnest($1::text[], $2::text[], $3::float8[], $4::jsonb[], $5::jsonb[], $6::timestamptz[], $7::bigint[])
               AS r(eid, aid, confidence, evidence, context, detected, seq)
             JOIN articles a ON a.id = r.aid
           ON CONFLICT (diplomatic_event_id, article_id) DO UPDATE SET last_sequence = EXCLUDED.last_sequence
           WHERE diplomatic_event_sources.last_sequence < EXCLUDED.last_sequence`,
          [
            s.map((r) => r.diplomaticEventId),
            s.map((r) => r.articleId),
            s.map((r) => r.confidence),
            s.map((r) => JSON.stringify(r.evidence)),
            s.map((r) => JSON.stringify(r.context)),
            s.map((r) => r.detectedAt),
            s.map((r) => r.seq),
          ],
        );
        const v = versionRows as Array<any>;
        await client.query(
          `INSERT INTO diplomatic_event_versions (diplomatic_event_id, version, recorded_at, stream_sequence, change, state,
             type, countries, event_date, confidence)
           SELECT id, version, at, seq, 'updated', state, state->>'type',
                  ARRAY(SELECT jsonb_array_elements_text(state->'countries')),
                  coalesce(state->>'startDate', left(state->>'publishedAt', 10))::date, (state->>'confidence')::float8
             FROM unnest($1::text[], $2::int[], $3::timestamptz[], $4::bigint[], $5::jsonb[]) AS r(id, version, at, seq, state)
           ON CONFLICT DO NOTHING`,
          [
            v.map((r) => r.id),
            v.map((r) => r.version),
            v.map((r) => r.recordedAt),
            v.map((r) => r.seq),
            v.map((r) => JSON.stringify(r.state)),
          ],
        );
        // What the projector adds for queries: the previous versions' end of validity and
        // each changed event's search document.
        await client.query(
          `UPDATE diplomatic_event_versions v SET valid_until = r.at
             FROM unnest($1::text[], $2::int[], $3::timestamptz[]) AS r(id, version, at)
            WHERE v.diplomatic_event_id = r.id AND v.version = r.version - 1 AND v.valid_until IS NULL`,
          [v.map((r) => r.id), v.map((r) => r.version), v.map((r) => r.recordedAt)],
        );
        await client.query(
          `INSERT INTO event_search_documents (diplomatic_event_id, search_vector)
           SELECT s.diplomatic_event_id,
                  to_tsvector('english'::regconfig, string_agg(a.title || ' ' || a.text, ' ' ORDER BY a.id))
             FROM diplomatic_event_sources s JOIN articles a ON a.id = s.article_id
            WHERE s.diplomatic_event_id = ANY($1::text[])
            GROUP BY s.diplomatic_event_id
           ON CONFLICT (diplomatic_event_id) DO UPDATE SET search_vector = EXCLUDED.search_vector`,
          [e.map((r) => r.diplomaticEventId)],
        );
      }
      await client.query(
        `INSERT INTO projection_checkpoints (name, last_sequence, updated_at) VALUES ('baseline', $1, now())
         ON CONFLICT (name) DO UPDATE SET last_sequence = GREATEST(projection_checkpoints.last_sequence, EXCLUDED.last_sequence), updated_at = now()`,
        [from + batch.length],
      );
      await client.query('COMMIT');
    }
    const seconds = (performance.now() - started) / 1000;
    return { seconds, postgresCpuSeconds: backendCpuSeconds([own[0]!.pid]) };
  } finally {
    await client.end();
  }
}

async function main() {
  const target = Number(arg('events') ?? 40_000);
  const file = arg('file') ?? path.resolve(repoRoot, '..', 'shared', 'eval', 'dev.jsonl');
  const items = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as DevItem);
  const events = generateLog(items, target, Number(arg('reports') ?? 4));
  const byType = (type: NewsEvent['type']) => events.filter((e) => e.type === type).length;
  const avgTextChars = Math.round(items.reduce((n, item) => n + item.text.length, 0) / items.length);
  log(
    `generated ${events.length} events from ${items.length} development texts (mean text ${avgTextChars} chars)`,
  );

  const projectorDb = await createTestDatabase();
  const baselineDb = await createTestDatabase();
  try {
    const projector = await projectWithProjector(projectorDb.url, events);
    log(
      `projector: ${events.length} events in ${projector.seconds.toFixed(2)} s, Postgres CPU ${projector.postgresCpuSeconds ?? '?'} s`,
    );
    const baseline = await projectWithRawPg(baselineDb.url, events);
    log(
      `raw pg baseline: ${events.length} events in ${baseline.seconds.toFixed(2)} s, Postgres CPU ${baseline.postgresCpuSeconds ?? '?'} s`,
    );
    const projectorRate = Math.round(events.length / projector.seconds);
    const perEventMs = (cpuSeconds: number | null) =>
      cpuSeconds === null ? null : Number(((cpuSeconds * 1000) / events.length).toFixed(4));
    const baselineRate = Math.round(events.length / baseline.seconds);
    const figures = {
      bench: 'projector',
      events: events.length,
      articleIngested: byType('ArticleIngested'),
      articleClassified: byType('ArticleClassified'),
      diplomaticEventDetected: byType('DiplomaticEventDetected'),
      meanTextChars: avgTextChars,
      batch: BATCH,
      synchronousCommit,
      projectorEventsPerSec: projectorRate,
      projectorSeconds: Number(projector.seconds.toFixed(3)),
      projectorWriterSeconds: Number(projector.writerSeconds.toFixed(3)),
      projectorBatches: projector.batches,
      baselineEventsPerSec: baselineRate,
      baselineSeconds: Number(baseline.seconds.toFixed(3)),
      ratioToBaseline: Number((projectorRate / baselineRate).toFixed(3)),
      // Postgres's CPU (its backends serving each side) per event projected, in ms.
      projectorPostgresCpuMsPerEvent: perEventMs(projector.postgresCpuSeconds),
      baselinePostgresCpuMsPerEvent: perEventMs(baseline.postgresCpuSeconds),
      projectorTableWrites: projector.writes,
      consolidatedEvents: projector.diplomaticEvents,
      sources: projector.sources,
      goalEventsPerSec: 5000,
      goalRatio: 1 / 3,
      goalsMet: projectorRate >= 5000 && projectorRate >= baselineRate / 3,
    };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    await projectorDb.drop();
    await baselineDb.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
