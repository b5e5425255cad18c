import {
  type ArticleClassifiedV1,
  type DiplomaticEventDetectedV1,
  type NewsEvent,
} from '@diplowatch/contracts';
import { consolidateDetection } from './consolidation';
import { type CountryCountDelta, countryCountDeltas } from './country-counts';
import { type DiplomaticEventView, evolveDiplomaticEvent } from './diplomatic-event.projection';

// The projector applies a batch of log events in one transaction: it loads the rows the batch
// touches, folds the events over them here, in stream order, and writes the result with a few
// set-based statements. This file is the fold: pure, so replay and ordering rules are tested
// without a database.

export type LoggedEvent = { event: NewsEvent; streamSequence: number };

/** What the store holds before the batch (only the rows the batch can touch). */
export type ReadModelState = {
  /** Articles by id: the sequence that last changed each and its current revision. */
  articles: Map<string, { lastSequence: number; contentHash: string }>;
  /** Merge key -> consolidated event id. */
  aliases: Map<string, string>;
  /** Events by id with their latest version number: those the batch's merge keys name, and every candidate. */
  events: Map<string, { view: DiplomaticEventView; version: number }>;
  /** `${diplomaticEventId} ${articleId}` -> sequence of the detection that last changed that source. */
  sources: Map<string, number>;
};

export type ArticleContentWrite = {
  id: string;
  data: Extract<NewsEvent, { type: 'ArticleIngested' }>['data'];
  /** Set when an article new to the store is also classified within the batch. */
  classification: ClassificationWrite | null;
  lastSequence: number;
};

export type ClassificationWrite = {
  id: string;
  data: ArticleClassifiedV1;
  classifiedAt: string;
  lastSequence: number;
};

export type SourceWrite = {
  diplomaticEventId: string;
  articleId: string;
  data: DiplomaticEventDetectedV1;
  detectedAt: string;
  lastSequence: number;
};

export type ArticleFeedWrite = {
  articleId: string;
  feedUrl: string;
  url: string;
  guid: string | null;
  firstSeenAt: string;
  lastSequence: number;
};

export type VersionWrite = {
  diplomaticEventId: string;
  version: number;
  recordedAt: string;
  streamSequence: number;
  change: 'created' | 'source_added' | 'updated';
  state: DiplomaticEventView;
};

/** A change of one cell of the time series (day × country pair × type). */
export type DailyCountDelta = {
  day: string;
  countryA: string;
  countryB: string;
  type: string;
  events: number;
  sources: number;
};

export type ReadModelWrites = {
  /** Articles new to the store or with a newer revision (insert, or update of the content). */
  articleContents: ArticleContentWrite[];
  /** Classifications of articles already in the store before the batch. */
  articleClassifications: ClassificationWrite[];
  /** Feeds an article was found in; the first sighting of each (article, feed) is kept. */
  articleFeeds: ArticleFeedWrite[];
  events: DiplomaticEventView[];
  aliases: Array<{ alias: string; diplomaticEventId: string; firstSequence: number }>;
  sources: SourceWrite[];
  versions: VersionWrite[];
  /** Non-zero changes of the daily counts the changed events make (added to the stored counts). */
  dailyCounts: DailyCountDelta[];
  /** The same for the per-country daily counts. */
  countryCounts: CountryCountDelta[];
  /** Events that need a row another event creates first: retried later, not dead-lettered. */
  notYetApplicable: Array<{ streamSequence: number; reason: string }>;
  /** Highest sequence applied (or found already applied): the checkpoint. */
  checkpoint: number | null;
};

export const sourceKey = (diplomaticEventId: string, articleId: string) =>
  `${diplomaticEventId} ${articleId}`;

type ArticleWork = {
  lastSequence: number;
  contentHash: string;
  existed: boolean;
  content?: ArticleContentWrite;
  classification?: ClassificationWrite;
};

/**
 * Folds a batch over the loaded state, in stream order, with the same rules as applying the
 * events one at a time: every row keeps the sequence that last changed it, so an event at or
 * below it (a replay, a redelivery) changes nothing.
 */
export function foldReadModelBatch(state: ReadModelState, batch: LoggedEvent[]): ReadModelWrites {
  const articles = new Map<string, ArticleWork>(
    [...state.articles].map(([id, row]) => [id, { ...row, existed: true }]),
  );
  const aliases = new Map(state.aliases);
  const events = new Map(state.events);
  const sources = new Map(state.sources);
  const touched = new Set<string>();
  const writes: ReadModelWrites = {
    articleContents: [],
    articleClassifications: [],
    articleFeeds: [],
    events: [],
    aliases: [],
    sources: [],
    versions: [],
    dailyCounts: [],
    countryCounts: [],
    notYetApplicable: [],
    checkpoint: null,
  };
  const sourceWrites = new Map<string, SourceWrite>();
  const feedWrites = new Map<string, ArticleFeedWrite>();
  const seenInFeed = (feed: Omit<ArticleFeedWrite, 'lastSequence'>, seq: number) => {
    const key = `${feed.articleId} ${feed.feedUrl}`;
    if (!feedWrites.has(key)) feedWrites.set(key, { ...feed, lastSequence: seq });
  };
  const applied = (seq: number) => (writes.checkpoint = Math.max(writes.checkpoint ?? 0, seq));

  for (const { event, streamSequence: seq } of batch) {
    switch (event.type) {
      case 'ArticleIngested': {
        const { data } = event;
        const article = articles.get(data.articleId);
        if (!article || article.lastSequence < seq) {
          // New, or a revision: the content changed. Its classification follows as a later event.
          const work: ArticleWork = article ?? {
            lastSequence: seq,
            contentHash: data.contentHash,
            existed: false,
          };
          work.lastSequence = seq;
          work.contentHash = data.contentHash;
          work.content = { id: data.articleId, data, classification: null, lastSequence: seq };
          articles.set(data.articleId, work);
        }
        seenInFeed(
          {
            articleId: data.articleId,
            feedUrl: data.feedUrl,
            url: data.url,
            guid: data.guid,
            firstSeenAt: data.fetchedAt,
          },
          seq,
        );
        applied(seq);
        break;
      }
      case 'ArticleSourceAdded': {
        const { data } = event;
        if (!articles.has(data.articleId)) {
          writes.notYetApplicable.push({
            streamSequence: seq,
            reason: `article ${data.articleId} not projected yet`,
          });
          break;
        }
        seenInFeed(
          {
            articleId: data.articleId,
            feedUrl: data.feedUrl,
            url: data.url,
            guid: data.guid,
            firstSeenAt: data.seenAt,
          },
          seq,
        );
        applied(seq);
        break;
      }
      case 'ArticleClassified': {
        const { data } = event;
        const article = articles.get(data.articleId);
        if (!article) {
          writes.notYetApplicable.push({
            streamSequence: seq,
            reason: `article ${data.articleId} not projected yet`,
          });
          break;
        }
        // Stale: a newer revision or a newer classification was applied already.
        if (article.lastSequence < seq && article.contentHash === data.contentHash) {
          article.lastSequence = seq;
          article.classification = {
            id: data.articleId,
            data,
            classifiedAt: event.occurredAt,
            lastSequence: seq,
          };
        }
        applied(seq);
        break;
      }
      case 'DiplomaticEventDetected': {
        const { data } = event;
        if (!articles.has(data.articleId)) {
          writes.notYetApplicable.push({
            streamSequence: seq,
            reason: `article ${data.articleId} not projected yet`,
          });
          break;
        }
        const key = data.diplomaticEventId;
        const known = aliases.get(key) ?? (events.has(key) ? key : undefined);
        const decision = consolidateDetection(
          { data, occurredAt: event.occurredAt },
          known,
          [...events.values()].map((entry) => entry.view),
        );
        const id = decision.diplomaticEventId;
        const skey = sourceKey(id, data.articleId);
        const sourceSequence = sources.get(skey);
        applied(seq);
        if (sourceSequence !== undefined && sourceSequence >= seq) break; // already applied
        if (decision.kind !== 'known') {
          aliases.set(key, id);
          writes.aliases.push({ alias: key, diplomaticEventId: id, firstSequence: seq });
        }
        const current = events.get(id);
        const view = evolveDiplomaticEvent(current?.view ?? null, {
          data,
          occurredAt: event.occurredAt,
          streamSequence: seq,
          isNewSource: sourceSequence === undefined,
        });
        const version = (current?.version ?? 0) + 1;
        events.set(id, { view, version });
        touched.add(id);
        // The history behind `asOf` queries: one version per change the log recorded.
        writes.versions.push({
          diplomaticEventId: id,
          version,
          recordedAt: event.occurredAt,
          streamSequence: seq,
          change: !current ? 'created' : sourceSequence === undefined ? 'source_added' : 'updated',
          state: view,
        });
        sources.set(skey, seq);
        sourceWrites.set(skey, {
          diplomaticEventId: id,
          articleId: data.articleId,
          data,
          detectedAt: event.occurredAt,
          lastSequence: seq,
        });
        break;
      }
      default: {
        const unexpected: never = event;
        throw new Error(`no projection for ${(unexpected as NewsEvent).type}`);
      }
    }
  }

  for (const article of articles.values()) {
    if (article.content) {
      if (!article.existed) {
        article.content.classification = article.classification ?? null;
        article.content.lastSequence = article.lastSequence;
      }
      writes.articleContents.push(article.content);
    }
    if (article.classification && article.existed) writes.articleClassifications.push(article.classification);
  }
  writes.events = [...touched].map((id) => events.get(id)!.view);
  const changes: Array<[DiplomaticEventView | null, DiplomaticEventView]> = [...touched].map((id) => [
    state.events.get(id)?.view ?? null,
    events.get(id)!.view,
  ]);
  writes.dailyCounts = dailyCountDeltas(changes);
  writes.countryCounts = countryCountDeltas(changes);
  writes.sources = [...sourceWrites.values()];
  writes.articleFeeds = [...feedWrites.values()];
  return writes;
}

/** The cells of the time series one event counts in: its event date × each country pair × its type. */
export function dailyCountCells(view: DiplomaticEventView): DailyCountDelta[] {
  const countries = [...new Set(view.countries)].sort();
  const cells: DailyCountDelta[] = [];
  for (let i = 0; i < countries.length; i++) {
    for (let j = i + 1; j < countries.length; j++) {
      cells.push({
        day: view.eventDate,
        countryA: countries[i]!,
        countryB: countries[j]!,
        type: view.type,
        events: 1,
        sources: view.sourceCount,
      });
    }
  }
  return cells;
}

/** What replacing each `before` by its `after` changes in the time series (zero changes left out). */
export function dailyCountDeltas(
  changes: Array<[DiplomaticEventView | null, DiplomaticEventView]>,
): DailyCountDelta[] {
  const deltas = new Map<string, DailyCountDelta>();
  const add = (cell: DailyCountDelta, sign: 1 | -1) => {
    const key = `${cell.day} ${cell.countryA} ${cell.countryB} ${cell.type}`;
    const delta = deltas.get(key) ?? { ...cell, events: 0, sources: 0 };
    delta.events += sign * cell.events;
    delta.sources += sign * cell.sources;
    deltas.set(key, delta);
  };
  for (const [before, after] of changes) {
    if (before) for (const cell of dailyCountCells(before)) add(cell, -1);
    for (const cell of dailyCountCells(after)) add(cell, 1);
  }
  return [...deltas.values()].filter((delta) => delta.events !== 0 || delta.sources !== 0);
}
