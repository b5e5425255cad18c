import { type EventSort, type SortOrder } from './event-query';
import { type QueryValidation } from './query-problems';

/**
 * Keyset cursor: the sort key of the last row served, and the sort it belongs to. Rows are
 * ordered by (key, id), so a page boundary is exact even when many events share a date or a
 * confidence, and rows arriving meanwhile neither shift nor repeat a page.
 */
export type EventCursor =
  | { sort: 'date'; order: SortOrder; key: string; id: string }
  | { sort: 'confidence'; order: SortOrder; key: number; id: string };

const VERSION = 1;

export function encodeEventCursor(cursor: EventCursor): string {
  return Buffer.from(JSON.stringify([VERSION, cursor.sort, cursor.order, cursor.key, cursor.id])).toString(
    'base64url',
  );
}

const notOurs = { ok: false, message: 'parameter "cursor" is not a cursor this API issued' } as const;

/** Reads a cursor back; it must come from a page with the same sort and order. */
export function decodeEventCursor(
  value: string,
  expected: { sort: EventSort; order: SortOrder },
): QueryValidation<EventCursor> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    return notOurs;
  }
  if (!Array.isArray(parsed) || parsed.length !== 5 || parsed[0] !== VERSION) return notOurs;
  const [, sort, order, key, id] = parsed as unknown[];
  if (typeof id !== 'string' || id.length === 0 || id.length > 200) return notOurs;
  if (order !== 'asc' && order !== 'desc') return notOurs;
  let cursor: EventCursor;
  if (sort === 'date' && typeof key === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(key)) {
    cursor = { sort, order, key, id };
  } else if (sort === 'confidence' && typeof key === 'number' && Number.isFinite(key)) {
    cursor = { sort, order, key, id };
  } else {
    return notOurs;
  }
  if (cursor.sort !== expected.sort || cursor.order !== expected.order) {
    return {
      ok: false,
      message: `parameter "cursor" belongs to sort=${cursor.sort}&order=${cursor.order}, not sort=${expected.sort}&order=${expected.order}`,
    };
  }
  return { ok: true, value: cursor };
}
