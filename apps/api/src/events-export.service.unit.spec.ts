import { Writable } from 'node:stream';
import { type EventCursor, type EventListItem, type ExportEventsQuery } from '@diplowatch/domain';
import { EventsExporter } from './events-export.service';
import { type EventPage, type EventPageRequest, type EventsRepository } from './events.repository';

const item = (n: number): EventListItem => ({
  id: `ev-${n}`,
  type: 'visit',
  countries: ['IDN', 'RUS'],
  actors: [],
  confidence: 0.5,
  summary: `event ${n}`,
  eventDate: '2025-01-01',
  startDate: null,
  endDate: null,
  place: null,
  topics: [],
  rulesVersion: '1',
  firstSeenAt: '2025-01-01T00:00:00.000Z',
  lastSeenAt: '2025-01-01T00:00:00.000Z',
  sourceCount: 1,
});

/** A repository over `total` events that records each page it was asked for. */
function fakeRepository(total: number) {
  const calls: Array<{ limit: number; after: string | null }> = [];
  const repository = {
    list: async (request: EventPageRequest, cursor: EventCursor | null): Promise<EventPage> => {
      calls.push({ limit: request.limit, after: cursor?.id ?? null });
      const start = cursor ? Number(cursor.id.slice(3)) : 0;
      const items = Array.from({ length: Math.max(0, Math.min(request.limit, total - start)) }, (_, i) =>
        item(start + i + 1),
      );
      const last = items.at(-1);
      return {
        items,
        nextCursor:
          start + items.length < total && last
            ? { sort: 'date', order: 'desc', key: '2025-01-01', id: last.id }
            : null,
      };
    },
  };
  return { calls, repository: repository as unknown as EventsRepository };
}

const query = (format: 'csv' | 'ndjson', limit?: number): ExportEventsQuery => ({
  country: [],
  countryMatch: 'all',
  pair: [],
  type: [],
  feed: [],
  sort: 'date',
  order: 'desc',
  format,
  limit,
});

/** A client that takes nothing until `release()` is called. */
function slowClient() {
  const received: string[] = [];
  const pending: Array<() => void> = [];
  let flowing = false;
  const out = new Writable({
    highWaterMark: 16,
    write(chunk: Buffer, _encoding, callback) {
      received.push(chunk.toString());
      if (flowing) callback();
      else pending.push(callback);
    },
  });
  const release = () => {
    flowing = true;
    pending.splice(0).forEach((callback) => callback());
  };
  return { out, received, release };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('EventsExporter', () => {
  it('given 25 events and batches of 10, writes them all in three queries, each after the last row', async () => {
    const { calls, repository } = fakeRepository(25);
    const lines: string[] = [];
    const out = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(...chunk.toString().trimEnd().split('\n'));
        callback();
      },
    });
    const written = await new EventsExporter(repository).write(query('ndjson'), out, 10);
    expect(written).toBe(25);
    expect(lines.map((line) => (JSON.parse(line) as { id: string }).id)).toEqual(
      Array.from({ length: 25 }, (_, i) => `ev-${i + 1}`),
    );
    expect(calls).toEqual([
      { limit: 10, after: null },
      { limit: 10, after: 'ev-10' },
      { limit: 10, after: 'ev-20' },
    ]);
  });

  it('when the client is slow, reads the next batch only once it has drained the last', async () => {
    const { calls, repository } = fakeRepository(30);
    const client = slowClient();
    const done = new EventsExporter(repository).write(query('csv'), client.out, 10);
    for (let i = 0; i < 20; i++) await tick();
    // The header filled the buffer: no batch is read while the client takes nothing.
    expect(calls).toHaveLength(0);
    client.release();
    expect(await done).toBe(30);
    expect(calls).toHaveLength(3);
    expect(client.received.join('').split('\r\n').filter(Boolean)).toHaveLength(31);
  });

  it('when the client goes away, stops querying', async () => {
    const { calls, repository } = fakeRepository(1000);
    const client = slowClient();
    const done = new EventsExporter(repository).write(query('csv'), client.out, 10);
    for (let i = 0; i < 5; i++) await tick();
    client.out.destroy();
    expect(await done).toBe(0);
    expect(calls).toHaveLength(0);
  });

  it('stops at the limit, asking for no more rows than it needs', async () => {
    const { calls, repository } = fakeRepository(100);
    const out = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    expect(await new EventsExporter(repository).write(query('ndjson', 15), out, 10)).toBe(15);
    expect(calls.map((call) => call.limit)).toEqual([10, 5]);
  });
});
