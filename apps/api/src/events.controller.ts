import { Controller, Get, NotFoundException, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { type z } from 'zod';
import {
  type EventDetailQuery,
  type ExportEventsQuery,
  type ListEventsQuery,
  decodeEventCursor,
  encodeEventCursor,
  eventDetailQuerySchema,
  eventIdSchema,
  exportEventsQuerySchema,
  listEventsQuerySchema,
} from '@diplowatch/domain';
import { EventsExporter } from './events-export.service';
import { EventsRepository } from './events.repository';
import { ValidParam, ValidQuery, noQuerySchema, orBadRequest } from './query-params';
import {
  articleSchema,
  errorSchema,
  eventDetailSchema,
  eventHistorySchema,
  eventPageSchema,
} from './responses';

@ApiTags('events')
@ApiBearerAuth()
@ApiBadRequestResponse({
  description: 'A parameter is invalid; the message names it',
  standardSchema: errorSchema,
})
@Controller()
export class EventsController {
  constructor(
    private readonly events: EventsRepository,
    private readonly exporter: EventsExporter,
  ) {}

  @Get('events')
  @ApiOperation({
    summary: 'Diplomatic events matching the filters, newest event date first by default',
    description: 'Keyset-paged: pass nextCursor as cursor (with the same sort and order) for the next page.',
  })
  @ApiOkResponse({ standardSchema: eventPageSchema })
  async list(
    @ValidQuery(listEventsQuerySchema) query: ListEventsQuery,
  ): Promise<z.output<typeof eventPageSchema>> {
    const cursor = query.cursor ? orBadRequest(decodeEventCursor(query.cursor, query)) : null;
    const page = await this.events.list(query, cursor);
    return {
      items: page.items,
      nextCursor: page.nextCursor ? encodeEventCursor(page.nextCursor) : null,
      asOf: query.asOf ?? null,
    };
  }

  // Declared before events/:id, which would otherwise take "export" for an id.
  @Get('events/export')
  @ApiOperation({
    summary: 'Every event matching the filters, streamed as CSV or NDJSON',
    description:
      'The filters and sort of GET /events, without paging. CSV follows RFC 4180 (CRLF, quoted fields); text cells a spreadsheet would run as formulas start with an apostrophe.',
  })
  @ApiProduces('text/csv', 'application/x-ndjson')
  @ApiOkResponse({ description: 'A CSV file with a header row, or one JSON event per line' })
  async export(
    @ValidQuery(exportEventsQuerySchema) query: ExportEventsQuery,
    @Res() res: Response,
  ): Promise<void> {
    const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
    res.status(200);
    res.setHeader(
      'content-type',
      query.format === 'csv'
        ? 'text/csv; charset=utf-8; header=present'
        : 'application/x-ndjson; charset=utf-8',
    );
    res.setHeader('content-disposition', `attachment; filename="diplomatic-events-${stamp}.${query.format}"`);
    res.setHeader('cache-control', 'no-store');
    try {
      await this.exporter.write(query, res);
      res.end();
    } catch (error) {
      // Nothing sent yet: an ordinary error response. Otherwise the status line is gone, and
      // cutting the connection is how the client learns the file is incomplete.
      if (!res.headersSent) {
        res.removeHeader('content-disposition');
        throw error;
      }
      res.destroy(error as Error);
    }
  }

  @Get('events/:id')
  @ApiOperation({
    summary: 'One event with its sources, evidence and the classification that produced each',
    description: 'With asOf: the event as the log knew it at that moment, and the sources recorded by then.',
  })
  @ApiOkResponse({ standardSchema: eventDetailSchema })
  @ApiNotFoundResponse({
    description: 'No such event (or none known yet at asOf)',
    standardSchema: errorSchema,
  })
  async get(
    @ValidParam('id', eventIdSchema) id: string,
    @ValidQuery(eventDetailQuerySchema) query: EventDetailQuery,
  ): Promise<z.output<typeof eventDetailSchema>> {
    const event = await this.events.get(id, query.asOf);
    if (!event) {
      throw new NotFoundException(
        query.asOf
          ? `diplomatic event ${id} was not known at ${query.asOf}`
          : `diplomatic event ${id} not found`,
      );
    }
    return event;
  }

  @Get('events/:id/history')
  @ApiOperation({
    summary: 'Every version of an event, oldest first: when the log recorded it and what it changed',
  })
  @ApiOkResponse({ standardSchema: eventHistorySchema })
  @ApiNotFoundResponse({ description: 'No such event', standardSchema: errorSchema })
  async history(
    @ValidParam('id', eventIdSchema) id: string,
    @ValidQuery(noQuerySchema) _query: object,
  ): Promise<z.output<typeof eventHistorySchema>> {
    const history = await this.events.history(id);
    if (!history) throw new NotFoundException(`diplomatic event ${id} not found`);
    return history;
  }

  @Get('articles/:id')
  @ApiTags('articles')
  @ApiOperation({ summary: 'One article with its classification and the diplomatic events it reports' })
  @ApiOkResponse({ standardSchema: articleSchema })
  @ApiNotFoundResponse({ description: 'No such article', standardSchema: errorSchema })
  async article(@ValidParam('id', eventIdSchema) id: string): Promise<z.output<typeof articleSchema>> {
    const article = await this.events.getArticle(id);
    if (!article) throw new NotFoundException(`article ${id} not found`);
    return article;
  }
}
