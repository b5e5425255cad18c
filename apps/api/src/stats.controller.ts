import { Controller, Get } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type TimeseriesQuery, timeseriesQuerySchema } from '@diplowatch/domain';
import { type z } from 'zod';
import { EventsRepository } from './events.repository';
import { ValidQuery } from './query-params';
import { errorSchema, timeseriesSchema } from './responses';

@ApiTags('stats')
@ApiBearerAuth()
@Controller('stats')
export class StatsController {
  constructor(private readonly events: EventsRepository) {}

  @Get('timeseries')
  @ApiOperation({
    summary: 'How many events per day, week or month, per country, country pair or type',
    description:
      'Counted in SQL over the event date, with the filters of GET /events. Periods without events are absent.',
  })
  @ApiOkResponse({ standardSchema: timeseriesSchema })
  @ApiBadRequestResponse({
    description: 'A parameter is invalid; the message names it',
    standardSchema: errorSchema,
  })
  async timeseries(
    @ValidQuery(timeseriesQuerySchema) query: TimeseriesQuery,
  ): Promise<z.output<typeof timeseriesSchema>> {
    const rows = await this.events.timeseries(query, query.interval, query.groupBy);
    return { interval: query.interval, groupBy: query.groupBy ?? null, rows };
  }
}
