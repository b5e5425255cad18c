import { type Writable } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import {
  type EventCursor,
  type ExportEventsQuery,
  eventCsvHeader,
  eventCsvRow,
  eventNdjsonLine,
} from '@diplowatch/domain';
import { EventsRepository } from './events.repository';

/** Rows per query: memory stays at one batch however many events match. */
export const EXPORT_BATCH_SIZE = 1000;

/**
 * Streams every event a query matches, in keyset-paged batches: each batch is one indexed
 * query continuing after the last row written, and the next is read only once the client has
 * taken the previous one (write() returning false waits for 'drain'), so a slow client holds
 * back the database instead of filling memory. Batches are separate queries: an event that
 * changes while a long export runs is written as it was when its batch was read.
 */
@Injectable()
export class EventsExporter {
  private readonly logger = new Logger('EventsExporter');

  constructor(private readonly events: EventsRepository) {}

  async write(query: ExportEventsQuery, out: Writable, batchSize = EXPORT_BATCH_SIZE): Promise<number> {
    const line = query.format === 'csv' ? eventCsvRow : eventNdjsonLine;
    if (query.format === 'csv' && !(await this.push(out, eventCsvHeader))) return 0;
    let cursor: EventCursor | null = null;
    let written = 0;
    const max = query.limit ?? Number.POSITIVE_INFINITY;
    while (written < max) {
      const page = await this.events.list({ ...query, limit: Math.min(batchSize, max - written) }, cursor);
      if (page.items.length > 0 && !(await this.push(out, page.items.map(line).join('')))) {
        this.logger.debug(`client went away after ${written} events`);
        return written;
      }
      written += page.items.length;
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    return written;
  }

  /** Writes a chunk; resolves false if the client has gone (stop querying). */
  private async push(out: Writable, chunk: string): Promise<boolean> {
    if (out.destroyed || out.writableEnded) return false;
    if (out.write(chunk)) return true;
    return new Promise((resolve) => {
      const settle = (ok: boolean) => {
        out.off('drain', onDrain);
        out.off('close', onClose);
        resolve(ok);
      };
      const onDrain = () => settle(true);
      const onClose = () => settle(false);
      out.on('drain', onDrain);
      out.on('close', onClose);
    });
  }
}
