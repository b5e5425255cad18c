import { type DiplomaticEventDetectedV1 } from '@diplowatch/contracts';
import { type DetectionRecord } from './alerted-event';
import {
  type SubscriptionForMatching,
  subscriptionFilterSchema,
  subscriptionOptionsSchema,
} from './subscription';

// Builders shared by the alerts unit tests (not exported from the lib's index).

export const detection = (overrides: Partial<DiplomaticEventDetectedV1> = {}): DiplomaticEventDetectedV1 => ({
  diplomaticEventId: 'de-shoigu',
  articleId: 'a-1',
  watch: 'russia-sea',
  rulesVersion: '1.0.0',
  type: 'visit',
  countries: ['RUS', 'IDN', 'MYS'],
  actors: [{ name: 'Sergei Shoigu', office: 'Security Council Secretary', country: 'RUS', role: 'actor' }],
  confidence: 0.8,
  summary: 'Visit: RUS, IDN, MYS — Sergei Shoigu (Security Council Secretary) 2025-02-24..2025-02-28',
  startDate: '2025-02-24',
  endDate: '2025-02-28',
  place: 'Jakarta',
  topics: ['defense', 'security'],
  evidence: [
    {
      sentence: 'Shoigu is visiting Indonesia and Malaysia to discuss security and defense.',
      rules: ['visit'],
    },
  ],
  context: [],
  publishedAt: '2025-02-24T08:00:00.000Z',
  ...overrides,
});

export const record = (
  overrides: Partial<DiplomaticEventDetectedV1> = {},
  at: { occurredAt?: string; streamSequence?: number } = {},
): DetectionRecord => ({
  data: detection(overrides),
  occurredAt: at.occurredAt ?? '2025-02-24T09:00:00.000Z',
  streamSequence: at.streamSequence ?? 10,
});

export const subscription = (
  id: string,
  filter: Record<string, unknown> = {},
  options: Record<string, unknown> = {},
  extra: Partial<SubscriptionForMatching> = {},
): SubscriptionForMatching & { name: string } => ({
  id,
  name: `subscription ${id}`,
  filter: subscriptionFilterSchema.parse(filter),
  options: subscriptionOptionsSchema.parse(options),
  channels: [{ type: 'webhook', url: 'https://hooks.example.org/dw' }],
  status: 'active',
  createdAt: '2025-01-01T00:00:00.000Z',
  ...extra,
});
