import { Injectable } from '@nestjs/common';
import {
  type ArticleClassifiedV1,
  type ArticleIngestedV1,
  type DiplomaticEventDetectedV1,
  type NewsEvent,
} from '@diplowatch/contracts';
import { type DiplomaticEventView, evolveDiplomaticEvent } from '@diplowatch/domain';
import { type Prisma, PrismaService } from '@diplowatch/persistence';
import { type ConsumedEvent } from '@diplowatch/messaging';

type Tx = Prisma.TransactionClient;

export const READ_MODEL_PROJECTION = 'read-model';

/** A write that depends on a row another event creates first (redelivered later, not dead-lettered). */
export class NotYetApplicableError extends Error {
  readonly code = 'NOT_YET_APPLICABLE';
}

const toDate = (value: string | null) => (value ? new Date(value) : null);
const dayToDate = (value: string | null) => (value ? new Date(`${value}T00:00:00.000Z`) : null);
const isoDay = (value: Date | null) => (value ? value.toISOString().slice(0, 10) : null);

/**
 * Applies events to the read models. Every row carries the stream sequence that last
 * changed it, and the checkpoint is written in the same transaction, so redelivery after a
 * crash between commit and ack changes nothing.
 */
@Injectable()
export class ReadModelWriter {
  constructor(private readonly prisma: PrismaService) {}

  async apply({ event, streamSequence }: ConsumedEvent): Promise<void> {
    await this.prisma.client.$transaction(async (tx) => {
      switch (event.type) {
        case 'ArticleIngested':
          await this.applyArticleIngested(tx, event.data, streamSequence);
          break;
        case 'ArticleClassified':
          await this.applyArticleClassified(tx, event.data, event.occurredAt, streamSequence);
          break;
        case 'DiplomaticEventDetected':
          await this.applyDiplomaticEventDetected(tx, event, event.data, streamSequence);
          break;
        default: {
          const unexpected: never = event;
          throw new Error(`no projection for ${(unexpected as NewsEvent).type}`);
        }
      }
      await tx.$executeRaw`
        INSERT INTO projection_checkpoints (name, last_sequence, updated_at)
        VALUES (${READ_MODEL_PROJECTION}, ${streamSequence}, now())
        ON CONFLICT (name) DO UPDATE
          SET last_sequence = GREATEST(projection_checkpoints.last_sequence, EXCLUDED.last_sequence),
              updated_at = now()`;
    });
  }

  private async applyArticleIngested(tx: Tx, data: ArticleIngestedV1, seq: number) {
    const row = {
      url: data.url,
      canonicalUrl: data.canonicalUrl,
      guid: data.guid,
      feedUrl: data.feedUrl,
      title: data.title,
      text: data.text,
      rawContent: data.rawContent,
      language: data.language,
      author: data.author,
      publishedAt: toDate(data.publishedAt),
      ingestedAt: new Date(data.fetchedAt),
      contentHash: data.contentHash,
      lastSequence: BigInt(seq),
    };
    const existing = await tx.article.findUnique({
      where: { id: data.articleId },
      select: { lastSequence: true },
    });
    if (!existing) {
      await tx.article.create({ data: { id: data.articleId, ...row } });
    } else if (existing.lastSequence < BigInt(seq)) {
      // A revision: the content changed. Its classification follows as a later event.
      await tx.article.update({ where: { id: data.articleId }, data: row });
    }
  }

  private async applyArticleClassified(tx: Tx, data: ArticleClassifiedV1, occurredAt: string, seq: number) {
    const existing = await tx.article.findUnique({
      where: { id: data.articleId },
      select: { lastSequence: true, contentHash: true },
    });
    if (!existing) throw new NotYetApplicableError(`article ${data.articleId} not projected yet`);
    // Stale: a newer revision or a newer classification was applied already.
    if (existing.lastSequence >= BigInt(seq) || existing.contentHash !== data.contentHash) return;
    await tx.article.update({
      where: { id: data.articleId },
      data: {
        relevant: data.relevant,
        relevance: data.relevance,
        rulesVersion: data.rulesVersion,
        classification: data,
        classifiedAt: new Date(occurredAt),
        lastSequence: BigInt(seq),
      },
    });
  }

  private async applyDiplomaticEventDetected(
    tx: Tx,
    event: Extract<NewsEvent, { type: 'DiplomaticEventDetected' }>,
    data: DiplomaticEventDetectedV1,
    seq: number,
  ) {
    const article = await tx.article.findUnique({ where: { id: data.articleId }, select: { id: true } });
    if (!article) throw new NotYetApplicableError(`article ${data.articleId} not projected yet`);

    const current = await tx.diplomaticEvent.findUnique({ where: { id: data.diplomaticEventId } });
    if (current && current.lastSequence >= BigInt(seq)) return; // already applied

    const source = await tx.diplomaticEventSource.findUnique({
      where: {
        diplomaticEventId_articleId: { diplomaticEventId: data.diplomaticEventId, articleId: data.articleId },
      },
      select: { articleId: true },
    });
    const view = evolveDiplomaticEvent(current ? this.toView(current) : null, {
      data,
      occurredAt: event.occurredAt,
      streamSequence: seq,
      isNewSource: !source,
    });
    const row = {
      type: view.type,
      countries: view.countries,
      actors: view.actors as unknown as Prisma.InputJsonValue,
      confidence: view.confidence,
      summary: view.summary,
      startDate: dayToDate(view.startDate),
      endDate: dayToDate(view.endDate),
      eventDate: dayToDate(view.eventDate)!,
      place: view.place,
      topics: view.topics,
      rulesVersion: view.rulesVersion,
      firstSeenAt: new Date(view.firstSeenAt),
      lastSeenAt: new Date(view.lastSeenAt),
      sourceCount: view.sourceCount,
      lastSequence: BigInt(view.lastSequence),
    };
    if (current) await tx.diplomaticEvent.update({ where: { id: view.id }, data: row });
    else await tx.diplomaticEvent.create({ data: { id: view.id, ...row } });

    // The history behind `asOf` queries: one version per change the log recorded.
    const versions = await tx.diplomaticEventVersion.aggregate({
      where: { diplomaticEventId: view.id },
      _max: { version: true },
    });
    await tx.diplomaticEventVersion.create({
      data: {
        diplomaticEventId: view.id,
        version: (versions._max.version ?? 0) + 1,
        recordedAt: new Date(event.occurredAt),
        streamSequence: BigInt(seq),
        change: !current ? 'created' : !source ? 'source_added' : 'updated',
        state: view as unknown as Prisma.InputJsonValue,
      },
    });

    const sourceRow = {
      confidence: data.confidence,
      evidence: data.evidence as unknown as Prisma.InputJsonValue,
      context: data.context as unknown as Prisma.InputJsonValue,
      detectedAt: new Date(event.occurredAt),
    };
    if (source) {
      await tx.diplomaticEventSource.update({
        where: { diplomaticEventId_articleId: { diplomaticEventId: view.id, articleId: data.articleId } },
        data: sourceRow,
      });
    } else {
      await tx.diplomaticEventSource.create({
        data: { diplomaticEventId: view.id, articleId: data.articleId, ...sourceRow },
      });
    }
  }

  private toView(row: {
    id: string;
    type: string;
    countries: string[];
    actors: Prisma.JsonValue;
    confidence: number;
    summary: string;
    startDate: Date | null;
    endDate: Date | null;
    eventDate: Date;
    place: string | null;
    topics: string[];
    rulesVersion: string;
    firstSeenAt: Date;
    lastSeenAt: Date;
    sourceCount: number;
    lastSequence: bigint;
  }): DiplomaticEventView {
    return {
      id: row.id,
      type: row.type,
      countries: row.countries,
      actors: row.actors as unknown as DiplomaticEventView['actors'],
      confidence: row.confidence,
      summary: row.summary,
      startDate: isoDay(row.startDate),
      endDate: isoDay(row.endDate),
      eventDate: isoDay(row.eventDate)!,
      place: row.place,
      topics: row.topics,
      rulesVersion: row.rulesVersion,
      firstSeenAt: row.firstSeenAt.toISOString(),
      lastSeenAt: row.lastSeenAt.toISOString(),
      sourceCount: row.sourceCount,
      lastSequence: Number(row.lastSequence),
    };
  }
}
