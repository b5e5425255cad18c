/**
 * GET /events/export: every matching event as CSV or NDJSON, streamed in keyset-paged batches.
 * 2,345 events make three batches of 1,000 (the last one partial).
 */
import request from 'supertest';
import { EXPORT_BATCH_SIZE } from './events-export.service';
import { useReadModelApi } from './testing/read-model-api';

jest.setTimeout(60_000);

const EVENTS = 2345;

/** RFC 4180, strictly: quoted fields may hold commas, CRLF and doubled quotes; records end in CRLF. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (text[i] === '"' && text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else if (i >= text.length) {
          throw new Error('unterminated quoted field');
        } else {
          field += text[i++];
        }
      }
    } else if (text[i] === ',') {
      record.push(field);
      field = '';
      i++;
    } else if (text.startsWith('\r\n', i)) {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 2;
    } else {
      field += text[i++];
    }
  }
  if (field !== '' || record.length > 0) throw new Error('last record not terminated by CRLF');
  return records;
}

describe('GET /events/export', () => {
  const world = useReadModelApi('apie', async (db) => {
    // Many events share a date (20 a day) so batch boundaries fall inside ties. Every 7th
    // summary is hostile to CSV and spreadsheets.
    await db.query(
      `INSERT INTO diplomatic_events (id, type, countries, actors, confidence, summary, event_date, topics,
         rules_version, first_seen_at, last_seen_at, source_count, last_sequence)
       SELECT 'ev-' || lpad(i::text, 5, '0'),
              (ARRAY['visit','agreement','meeting_talks'])[1 + i % 3],
              ARRAY['RUS', (ARRAY['IDN','MYS','VNM','THA'])[1 + i % 4]],
              jsonb_build_array(jsonb_build_object('name', 'Actor ' || i, 'office', null, 'country', 'RUS', 'role', 'actor')),
              round(((i % 10) / 10.0)::numeric, 1)::float8,
              CASE WHEN i % 7 = 0 THEN '=HYPERLINK("http://evil.example/' || i || '"), with "quotes"' || E'\r\nand a line break'
                   ELSE 'Summary ' || i END,
              date '2024-01-01' + (i / 20),
              ARRAY['security'],
              '1.0.0', now(), now(), 1, i
       FROM generate_series(1, ${EVENTS}) AS i`,
    );
  });

  const download = async (query: string) => {
    const response = await request(world.api.app.getHttpServer())
      .get(`/events/export${query}`)
      .set('authorization', `Bearer ${world.api.readKey}`)
      .buffer(true)
      .parse((res, done) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (data += chunk));
        res.on('end', () => done(null, data));
      });
    return { status: response.status, headers: response.headers, text: response.body as string };
  };

  /** Every id GET /events returns for the query, page by page. */
  const pagedIds = async (query: string) => {
    const found: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await request(world.api.app.getHttpServer())
        .get(`/events?${query}&limit=200${cursor ? `&cursor=${cursor}` : ''}`)
        .set('authorization', `Bearer ${world.api.readKey}`);
      const body = response.body as { items: Array<{ id: string }>; nextCursor: string | null };
      found.push(...body.items.map((item) => item.id));
      cursor = body.nextCursor;
    } while (cursor);
    return found;
  };

  beforeAll(() => {
    expect(EVENTS).toBeGreaterThan(2 * EXPORT_BATCH_SIZE);
  });

  it('streams every event as RFC 4180 CSV, in the order of GET /events, formulas defused', async () => {
    const { status, headers, text } = await download('?format=csv');
    expect(status).toBe(200);
    expect(headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(headers['content-disposition']).toMatch(
      /^attachment; filename="diplomatic-events-\d{8}T\d{6}\.csv"$/,
    );
    const [header, ...records] = parseCsv(text);
    expect(header).toEqual([
      'id',
      'type',
      'event_date',
      'start_date',
      'end_date',
      'countries',
      'actors',
      'confidence',
      'summary',
      'place',
      'topics',
      'source_count',
      'first_seen_at',
      'last_seen_at',
      'rules_version',
    ]);
    expect(records).toHaveLength(EVENTS);
    expect(records.map((record) => record[0])).toEqual(await pagedIds('sort=date'));
    const hostile = records.find((record) => record[0] === 'ev-00007')!;
    expect(hostile[8]).toBe(`'=HYPERLINK("http://evil.example/7"), with "quotes"\r\nand a line break`);
    expect(hostile.slice(1, 8)).toEqual(['agreement', '2024-01-01', '', '', 'RUS; THA', 'Actor 7', '0.7']);
  });

  it('streams NDJSON, one event a line, with the filters and sort of GET /events', async () => {
    const { status, headers, text } = await download('?format=ndjson&type=visit&sort=confidence&order=asc');
    expect(status).toBe(200);
    expect(headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(headers['content-disposition']).toMatch(/\.ndjson"$/);
    expect(text.endsWith('\n')).toBe(true);
    const events = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; type: string; actors: unknown[] });
    expect(events.length).toBe(Math.floor(EVENTS / 3));
    expect(events.every((item) => item.type === 'visit' && item.actors.length === 1)).toBe(true);
    expect(events.map((item) => item.id)).toEqual(await pagedIds('type=visit&sort=confidence&order=asc'));
  });

  it('stops at limit', async () => {
    const { text } = await download('?format=ndjson&limit=1500');
    expect(text.trimEnd().split('\n')).toHaveLength(1500);
  });

  it('answers bad parameters with a 400 naming them, before any byte of the file', async () => {
    const bad = await request(world.api.app.getHttpServer())
      .get('/events/export?format=xlsx')
      .set('authorization', `Bearer ${world.api.readKey}`);
    expect(bad.status).toBe(400);
    expect((bad.body as { message: string }).message).toMatch(/^parameter "format"/);
    const unauthorised = await request(world.api.app.getHttpServer()).get('/events/export');
    expect(unauthorised.status).toBe(401);
  });
});
