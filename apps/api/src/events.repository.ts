import { Injectable } from '@nestjs/common';
import { type Prisma, PrismaService } from '@diplowatch/persistence';
import { type EventCursor, type ListEventsQuery } from './query-params';

const day = (value: string) => new Date(`${value}T00:00:00.000Z`);
const isoDay = (value: Date | null) => (value ? value.toISOString().slice(0, 10) : null);

type EventRow = Prisma.DiplomaticEventGetPayload<object>;

function presentEvent(row: EventRow) {
  return {
    id: row.id,
    type: row.type,
    countries: row.countries,
    actors: row.actors,
    confidence: row.confidence,
    summary: row.summary,
    eventDate: isoDay(row.eventDate),
    startDate: isoDay(row.startDate),
    endDate: isoDay(row.endDate),
    place: row.place,
    topics: row.topics,
    rulesVersion: row.rulesVersion,
    firstSeenAt: row.firstSeenAt.toISOString(),
    lastSeenAt: row.lastSeenAt.toISOString(),
    sourceCount: row.sourceCount,
  };
}

/** Read-only queries over the projector's tables. */
@Injectable()
export class EventsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async list(query: ListEventsQuery, cursor: EventCursor | null) {
    const and: Prisma.DiplomaticEventWhereInput[] = [];
    if (query.country.length > 0) and.push({ countries: { hasEvery: query.country } });
    if (query.type.length > 0) and.push({ type: { in: query.type } });
    if (query.from) and.push({ eventDate: { gte: day(query.from) } });
    if (query.to) and.push({ eventDate: { lte: day(query.to) } });
    if (cursor) {
      // Keyset paging on (eventDate desc, id desc): stable while new rows arrive.
      and.push({
        OR: [
          { eventDate: { lt: day(cursor.eventDate) } },
          { eventDate: day(cursor.eventDate), id: { lt: cursor.id } },
        ],
      });
    }
    const rows = await this.prisma.client.diplomaticEvent.findMany({
      where: { AND: and },
      orderBy: [{ eventDate: 'desc' }, { id: 'desc' }],
      take: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map(presentEvent),
      nextCursor:
        rows.length > query.limit && last ? { eventDate: isoDay(last.eventDate)!, id: last.id } : null,
    };
  }

  async get(id: string) {
    const row = await this.prisma.client.diplomaticEvent.findUnique({
      where: { id },
      include: {
        sources: {
          orderBy: [{ detectedAt: 'asc' }, { articleId: 'asc' }],
          include: {
            article: {
              select: {
                id: true,
                title: true,
                url: true,
                feedUrl: true,
                publishedAt: true,
                classification: true,
              },
            },
          },
        },
      },
    });
    if (!row) return null;
    return {
      ...presentEvent(row),
      sources: row.sources.map((source) => ({
        articleId: source.articleId,
        title: source.article.title,
        url: source.article.url,
        feedUrl: source.article.feedUrl,
        publishedAt: source.article.publishedAt?.toISOString() ?? null,
        confidence: source.confidence,
        evidence: source.evidence,
        context: source.context,
        detectedAt: source.detectedAt.toISOString(),
        classification: source.article.classification,
      })),
    };
  }

  async getArticle(id: string) {
    const row = await this.prisma.client.article.findUnique({
      where: { id },
      include: { sources: { select: { diplomaticEventId: true } } },
    });
    if (!row) return null;
    return {
      id: row.id,
      url: row.url,
      canonicalUrl: row.canonicalUrl,
      guid: row.guid,
      feedUrl: row.feedUrl,
      title: row.title,
      text: row.text,
      author: row.author,
      language: row.language,
      publishedAt: row.publishedAt?.toISOString() ?? null,
      ingestedAt: row.ingestedAt.toISOString(),
      relevant: row.relevant,
      relevance: row.relevance,
      rulesVersion: row.rulesVersion,
      classifiedAt: row.classifiedAt?.toISOString() ?? null,
      classification: row.classification,
      diplomaticEventIds: row.sources.map((source) => source.diplomaticEventId),
    };
  }
}
