import { type NewsEvent } from '@diplowatch/contracts';
import { type Watch, classificationEvents } from '@diplowatch/domain';
import { type ConsumedEvent } from '@diplowatch/messaging';

/**
 * ArticleIngested -> ArticleClassified + one DiplomaticEventDetected per act found. Event ids
 * come from (article revision, rules version), so a redelivered article yields the same ids
 * and JetStream drops the copies. `npm run reclassify` builds the same events from stored
 * articles (classificationEvents in libs/domain).
 */
export function eventsForArticle(consumed: ConsumedEvent, watch: Watch): NewsEvent[] {
  const { event } = consumed;
  if (event.type !== 'ArticleIngested') return [];
  const causation = { correlationId: event.metadata.correlationId, causationId: event.id };
  return classificationEvents(event.data, watch, causation).events;
}
