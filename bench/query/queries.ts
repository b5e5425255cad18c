// The ten commonest queries, from the questions analysts ask (issue "Event history for
// analysts"). Each request varies its parameters (another country, actor, word, feed…),
// drawn from a seeded generator, so the bench does not time one cached answer.
import { FEEDS, RUSSIAN_ACTORS, type Rng, SEA, SEA_CODES, pick } from './generate';

export type BenchQuery = {
  name: string;
  question: string;
  path: (rng: Rng, context: QueryContext) => string;
};
export type QueryContext = { eventIds: string[] };

const BIG = ['IDN', 'VNM', 'MYS', 'THA', 'MMR', 'PHL'];
const DEFENCE = 'defense_cooperation,arms_trade,military_exercise';
const WORDS = [
  'security',
  'energy',
  'nuclear',
  'BRICS',
  'trade',
  '"joint exercise"',
  'grain',
  'defense',
  'tourism',
  'Kremlin',
];
const year = (rng: Rng) => 2019 + Math.floor(rng() * 7);
const seaActor = (rng: Rng) => pick(rng, SEA[pick(rng, SEA_CODES)].actors);
const lastName = (name: string) => name.split(' ').at(-1)!;

export const BENCH_QUERIES: BenchQuery[] = [
  { name: 'latest', question: 'the newest events', path: () => '/events' },
  {
    name: 'country_since',
    question: 'what has Russia done with Vietnam since January?',
    path: (rng) => `/events?country=${pick(rng, BIG)}&from=${year(rng)}-01-01`,
  },
  {
    name: 'defence_with_country',
    question: 'every defence-related contact with Indonesia, newest first',
    path: (rng) => `/events?country=${pick(rng, BIG)}&type=${DEFENCE}`,
  },
  {
    name: 'pair_by_confidence',
    question: 'Russia–Malaysia events, surest first',
    path: (rng) => `/events?pair=RUS-${pick(rng, SEA_CODES)}&sort=confidence`,
  },
  {
    name: 'actor',
    question: 'what has Lavrov (or Anwar) been doing?',
    path: (rng) =>
      `/events?actor=${encodeURIComponent(lastName(rng() < 0.5 ? pick(rng, RUSSIAN_ACTORS) : seaActor(rng)))}`,
  },
  {
    name: 'full_text',
    question: 'events whose reports mention a word or phrase',
    path: (rng) => `/events?q=${encodeURIComponent(pick(rng, WORDS))}`,
  },
  {
    name: 'confident_agreements_any_of',
    question: 'sure agreements with Thailand or the Philippines',
    path: (rng) =>
      `/events?type=agreement,economic_cooperation&minConfidence=0.8&country=${pick(rng, BIG)},${pick(rng, SEA_CODES)}&countryMatch=any`,
  },
  {
    name: 'feed_published_since',
    question: 'what one outlet reported since a date',
    path: (rng) => `/events?feed=${encodeURIComponent(pick(rng, FEEDS))}&publishedFrom=${year(rng)}-06-01`,
  },
  {
    name: 'event_detail',
    question: 'one event with its sources, evidence and classification',
    path: (rng, context) => `/events/${encodeURIComponent(pick(rng, context.eventIds))}`,
  },
  {
    name: 'weekly_per_country',
    question: 'how many events a week, per country, over a year',
    path: (rng) => {
      const from = year(rng);
      return `/stats/timeseries?interval=week&groupBy=country&from=${from}-01-01&to=${from}-12-31`;
    },
  },
];

/** Also timed, reported apart: less common, heavier reads. */
export const EXTRA_QUERIES: BenchQuery[] = [
  {
    name: 'as_of_country',
    question: 'what was known about a country at a past moment (asOf)',
    path: (rng) => `/events?country=${pick(rng, BIG)}&asOf=${year(rng)}-07-01T00:00:00Z`,
  },
  {
    name: 'event_history',
    question: 'how one event changed',
    path: (rng, context) => `/events/${encodeURIComponent(pick(rng, context.eventIds))}/history`,
  },
  {
    name: 'monthly_per_pair_all_time',
    question: 'events a month per country pair, all time',
    path: () => '/stats/timeseries?interval=month&groupBy=pair',
  },
];
