import { Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { EventsRepository } from './events.repository';
import { decodeCursor, encodeCursor, idSchema, listEventsQuerySchema, parseQuery } from './query-params';

@Controller()
export class EventsController {
  constructor(private readonly events: EventsRepository) {}

  /** Diplomatic events, newest first. Filters: country (all of), type (any of), from, to, limit, cursor. */
  @Get('events')
  async list(@Query() rawQuery: Record<string, unknown>) {
    const query = parseQuery(listEventsQuerySchema, rawQuery);
    const cursor = query.cursor ? decodeCursor(query.cursor) : null;
    const page = await this.events.list(query, cursor);
    return { items: page.items, nextCursor: page.nextCursor ? encodeCursor(page.nextCursor) : null };
  }

  @Get('events/:id')
  async get(@Param('id') rawId: string) {
    const id = parseQuery(idSchema, rawId);
    const event = await this.events.get(id);
    if (!event) throw new NotFoundException(`diplomatic event ${id} not found`);
    return event;
  }

  @Get('articles/:id')
  async article(@Param('id') rawId: string) {
    const id = parseQuery(idSchema, rawId);
    const article = await this.events.getArticle(id);
    if (!article) throw new NotFoundException(`article ${id} not found`);
    return article;
  }
}
