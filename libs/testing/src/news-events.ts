// Events of the log as the ingester and the classifier write them, for projection tests: one
// article (Shoigu in Indonesia) by default, with its ids derived from the arguments so that a
// repeated call gives the same event (and the same Nats-Msg-Id).
import {
  type ArticleClassifiedV1,
  type ArticleIngestedV1,
  type DiplomaticEventDetectedV1,
  createEvent,
} from '@diplowatch/contracts';

export const articleIngested = (
  articleId: string,
  contentHash = 'h1',
  overrides: Partial<ArticleIngestedV1> = {},
) =>
  createEvent('ArticleIngested', {
    id: `ai-${articleId}-${contentHash}`,
    occurredAt: new Date('2025-02-24T09:00:00Z'),
    data: {
      articleId,
      contentHash,
      feedUrl: 'https://example.org/feed.xml',
      url: `https://example.org/${articleId}`,
      canonicalUrl: `https://example.org/${articleId}`,
      guid: null,
      title: `Shoigu visits Indonesia (${contentHash})`,
      text: 'Sergei Shoigu is visiting Indonesia.',
      rawContent: null,
      author: null,
      language: 'en',
      publishedAt: '2025-02-24T08:00:00.000Z',
      fetchedAt: '2025-02-24T09:00:00.000Z',
      ...overrides,
    },
  });

export const articleClassified = (
  articleId: string,
  contentHash = 'h1',
  overrides: Partial<ArticleClassifiedV1> = {},
) =>
  createEvent('ArticleClassified', {
    id: `ac-${articleId}-${contentHash}`,
    occurredAt: new Date('2025-02-24T09:00:01Z'),
    data: {
      articleId,
      contentHash,
      watch: 'russia-sea',
      rulesVersion: '1',
      relevant: true,
      relevance: 0.9,
      eventTypes: ['visit'],
      countries: ['RUS', 'IDN'],
      actors: ['Sergei Shoigu'],
      diplomaticEventIds: [],
      context: [],
      evidence: [],
      reasons: [],
      ...overrides,
    },
  });

export const diplomaticEventDetected = (
  diplomaticEventId: string,
  articleId: string,
  overrides: Partial<DiplomaticEventDetectedV1> = {},
) =>
  createEvent('DiplomaticEventDetected', {
    id: `de-${diplomaticEventId}-${articleId}`,
    occurredAt: new Date('2025-02-24T09:00:02Z'),
    data: {
      diplomaticEventId,
      articleId,
      watch: 'russia-sea',
      rulesVersion: '1',
      type: 'visit',
      countries: ['RUS', 'IDN'],
      actors: [
        { name: 'Sergei Shoigu', office: 'Security Council Secretary', country: 'RUS', role: 'actor' },
      ],
      confidence: 0.8,
      summary: 'Sergei Shoigu visits Indonesia',
      startDate: '2025-02-24',
      endDate: '2025-02-28',
      place: null,
      topics: ['security'],
      evidence: [{ sentence: 'Sergei Shoigu is visiting Indonesia.', rules: ['visit'] }],
      context: [],
      publishedAt: '2025-02-24T08:00:00.000Z',
      ...overrides,
    },
  });
