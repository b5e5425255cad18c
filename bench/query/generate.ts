// The bench's data: articles and diplomatic events generated from the labelled development
// texts (../shared/eval/dev.jsonl), varied so no two rows are alike — the country a text is
// about, the actors, the outlet and feed, the dates, an added sentence — and deterministic
// (a seeded generator), so two runs at one scale seed the same database.
import { readFileSync } from 'node:fs';
import { type DiplomaticEventView } from '@diplowatch/domain';

type DevText = {
  id: string;
  title: string;
  text: string;
  label: { relevant: boolean; countries?: string[] };
};

/** mulberry32: small, fast and good enough to vary test data. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rng = () => number;
export const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
function weighted<T>(rng: Rng, items: ReadonlyArray<readonly [T, number]>): T {
  const total = items.reduce((sum, [, weight]) => sum + weight, 0);
  let r = rng() * total;
  for (const [item, weight] of items) if ((r -= weight) < 0) return item;
  return items.at(-1)![0];
}

export const SEA = {
  IDN: {
    name: 'Indonesia',
    capital: 'Jakarta',
    actors: ['Prabowo Subianto', 'Joko Widodo', 'Sugiono', 'Retno Marsudi', 'Sjafrie Sjamsoeddin'],
  },
  MYS: {
    name: 'Malaysia',
    capital: 'Kuala Lumpur',
    actors: ['Anwar Ibrahim', 'Mohamad Hasan', 'Mohamed Khaled Nordin'],
  },
  VNM: {
    name: 'Vietnam',
    capital: 'Hanoi',
    actors: ['To Lam', 'Pham Minh Chinh', 'Luong Cuong', 'Bui Thanh Son'],
  },
  THA: {
    name: 'Thailand',
    capital: 'Bangkok',
    actors: ['Paetongtarn Shinawatra', 'Anutin Charnvirakul', 'Maris Sangiampongsa'],
  },
  PHL: {
    name: 'the Philippines',
    capital: 'Manila',
    actors: ['Ferdinand Marcos Jr.', 'Enrique Manalo', 'Gilberto Teodoro'],
  },
  SGP: { name: 'Singapore', capital: 'Singapore', actors: ['Lawrence Wong', 'Vivian Balakrishnan'] },
  MMR: { name: 'Myanmar', capital: 'Naypyidaw', actors: ['Min Aung Hlaing', 'Than Swe'] },
  KHM: { name: 'Cambodia', capital: 'Phnom Penh', actors: ['Hun Manet', 'Hun Sen', 'Prak Sokhonn'] },
  LAO: { name: 'Laos', capital: 'Vientiane', actors: ['Sonexay Siphandone', 'Thongloun Sisoulith'] },
  BRN: { name: 'Brunei', capital: 'Bandar Seri Begawan', actors: ['Hassanal Bolkiah'] },
  TLS: { name: 'Timor-Leste', capital: 'Dili', actors: ['Jose Ramos-Horta', 'Xanana Gusmao'] },
} as const;
export type SeaCode = keyof typeof SEA;
export const SEA_CODES = Object.keys(SEA) as SeaCode[];
/** How often each country appears: the big partners more than the small ones. */
const SEA_WEIGHTS: ReadonlyArray<readonly [SeaCode, number]> = [
  ['IDN', 18],
  ['VNM', 18],
  ['MYS', 12],
  ['THA', 12],
  ['MMR', 10],
  ['PHL', 8],
  ['LAO', 7],
  ['KHM', 6],
  ['SGP', 5],
  ['BRN', 2],
  ['TLS', 2],
];
export const RUSSIAN_ACTORS = [
  'Vladimir Putin',
  'Sergey Lavrov',
  'Sergei Shoigu',
  'Andrei Belousov',
  'Mikhail Mishustin',
  'Dmitry Medvedev',
  'Maria Zakharova',
  'Alexander Novak',
  'Denis Manturov',
  'Yury Ushakov',
  'Andrei Rudenko',
  'Maxim Reshetnikov',
  'Valentina Matviyenko',
  'Sergei Naryshkin',
  'Alexei Overchuk',
];
const EVENT_TYPES: ReadonlyArray<readonly [string, number]> = [
  ['meeting_talks', 25],
  ['visit', 20],
  ['agreement', 12],
  ['economic_cooperation', 12],
  ['defense_cooperation', 10],
  ['military_exercise', 6],
  ['arms_trade', 5],
  ['bloc_membership', 5],
  ['statement', 5],
];
const TOPICS = [
  'security',
  'defense',
  'energy',
  'trade',
  'nuclear',
  'brics',
  'tourism',
  'grain',
  'finance',
  'education',
];
const VERBS: Record<string, string> = {
  meeting_talks: 'holds talks with',
  visit: 'visits',
  agreement: 'signs an agreement with',
  economic_cooperation: 'expands trade with',
  defense_cooperation: 'deepens defence ties with',
  military_exercise: 'holds a joint exercise with',
  arms_trade: 'agrees arms deliveries to',
  bloc_membership: 'backs the BRICS bid of',
  statement: 'issues a joint statement with',
};
const OUTLETS = [
  'tass.com',
  'rt.com',
  'themoscowtimes.com',
  'channelnewsasia.com',
  'antaranews.com',
  'bangkokpost.com',
  'malaymail.com',
  'vietnamnews.vn',
  'irrawaddy.com',
  'thediplomat.com',
  'aljazeera.com',
];
const SECTIONS = ['world', 'politics', 'asia'];
export const FEEDS = OUTLETS.flatMap((outlet) =>
  SECTIONS.map((section) => `https://${outlet}/rss/${section}.xml`),
);

/** First and last event dates: seven years, about forty events a day at full scale. */
const FIRST_DAY = Date.UTC(2019, 0, 1);
const DAYS = 2500;
const DAY_MS = 86_400_000;

/**
 * Text variants: each development text rewritten about each Southeast Asian country (its
 * first-named country and capital replaced). Stored once in the database; articles pick one
 * and add a sentence of their own, so the bench ships no gigabyte of text over the socket.
 */
export type TextVariant = { index: number; title: string; text: string; relevant: boolean; country: SeaCode };

export function textVariants(devFile: string): TextVariant[] {
  const texts = readFileSync(devFile, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as DevText);
  const variants: TextVariant[] = [];
  for (const text of texts) {
    const original = SEA_CODES.find((code) => text.text.includes(SEA[code].name)) ?? null;
    for (const code of SEA_CODES) {
      const rewrite = (value: string) =>
        original
          ? value
              .replaceAll(SEA[original].name, SEA[code].name)
              .replaceAll(SEA[original].capital, SEA[code].capital)
          : value;
      variants.push({
        index: variants.length,
        title: rewrite(text.title),
        text: rewrite(text.text),
        relevant: text.label.relevant,
        country: code,
      });
    }
  }
  return variants;
}

export type ArticleRow = {
  id: string;
  variant: number;
  sentence: string;
  feedUrl: string;
  publishedAt: Date;
  relevant: boolean;
};

export type EventRow = {
  view: DiplomaticEventView;
  /** One version per source, in order: the state after that source was folded in. */
  versions: Array<{ recordedAt: Date; change: string; state: DiplomaticEventView }>;
  sources: Array<{ article: ArticleRow; detectedAt: Date; confidence: number }>;
};

const iso = (date: Date) => date.toISOString();
const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/**
 * Generates diplomatic event number `n` with its source articles (numbered from
 * `firstArticle`). Each source is an article about one of the event's countries, published
 * within days of the event, and adds a version, as the projector would record it.
 */
export function generateEvent(n: number, firstArticle: number, variants: readonly TextVariant[]): EventRow {
  const rng = random(n * 7919 + 17);
  const type = weighted(rng, EVENT_TYPES);
  const main = weighted(rng, SEA_WEIGHTS);
  const countries = new Set<string>(['RUS', main]);
  if (rng() < 0.25) countries.add(weighted(rng, SEA_WEIGHTS));
  if (rng() < 0.08) countries.add('ASEAN');
  const russian = pick(rng, RUSSIAN_ACTORS);
  const actors = [{ name: russian, office: null, country: 'RUS', role: 'actor' as const }];
  for (const code of [...countries].filter((code): code is SeaCode => code in SEA)) {
    if (rng() < 0.6)
      actors.push({ name: pick(rng, SEA[code].actors), office: null, country: code, role: 'actor' });
  }
  const eventDay = new Date(FIRST_DAY + Math.floor(rng() * DAYS) * DAY_MS);
  const sourceCount = rng() < 0.6 ? 1 : rng() < 0.62 ? 2 : 3 + Math.floor(rng() * 3);
  const topics = [...new Set([pick(rng, TOPICS), pick(rng, TOPICS)])].sort();
  const place = rng() < 0.5 ? SEA[main].capital : null;
  const relevantVariants = variants.filter((variant) => variant.relevant && variant.country === main);
  const summary = `${russian} ${VERBS[type]} ${SEA[main].name}`;

  const sources: EventRow['sources'] = [];
  const versions: EventRow['versions'] = [];
  let view = null as DiplomaticEventView | null;
  for (let s = 0; s < sourceCount; s++) {
    const publishedAt = new Date(eventDay.getTime() + Math.floor(rng() * 3 * DAY_MS));
    const host = actors.find((actor) => actor.country === main)?.name ?? `officials of ${SEA[main].name}`;
    const article: ArticleRow = {
      id: `bench-a${firstArticle + s}`,
      variant: pick(rng, relevantVariants.length > 0 ? relevantVariants : variants).index,
      sentence: `${russian} met ${host} in ${place ?? SEA[main].capital} on ${isoDay(eventDay)} to discuss ${topics.join(' and ')}.`,
      feedUrl: pick(rng, FEEDS),
      publishedAt,
      relevant: true,
    };
    const confidence = Math.round((0.35 + rng() * 0.65) * 100) / 100;
    const detectedAt = new Date(publishedAt.getTime() + 60_000 + Math.floor(rng() * 600_000));
    sources.push({ article, detectedAt, confidence });
    const seenAt = iso(publishedAt);
    const previous = view;
    view = previous
      ? {
          ...previous,
          confidence: Math.max(previous.confidence, confidence),
          firstSeenAt: seenAt < previous.firstSeenAt ? seenAt : previous.firstSeenAt,
          lastSeenAt: seenAt > previous.lastSeenAt ? seenAt : previous.lastSeenAt,
          sourceCount: previous.sourceCount + 1,
          lastSequence: previous.lastSequence + 1,
        }
      : {
          id: `bench-de${n}`,
          type,
          countries: [...countries].sort(),
          actors,
          confidence,
          summary,
          startDate: isoDay(eventDay),
          endDate: null,
          eventDate: isoDay(eventDay),
          place,
          topics,
          rulesVersion: '1.0.0',
          firstSeenAt: seenAt,
          lastSeenAt: seenAt,
          sourceCount: 1,
          lastSequence: n * 10 + 1,
        };
    versions.push({ recordedAt: detectedAt, change: s === 0 ? 'created' : 'source_added', state: view });
  }
  return { view: view!, versions, sources };
}

/** Background article `n`: a development text about some country, in some feed, on some day. */
export function generateArticle(n: number, variants: readonly TextVariant[]): ArticleRow {
  const rng = random(n * 104_729 + 3);
  const variant = pick(rng, variants);
  const publishedAt = new Date(FIRST_DAY + Math.floor(rng() * DAYS * DAY_MS));
  const outlet = pick(rng, OUTLETS);
  return {
    id: `bench-a${n}`,
    variant: variant.index,
    sentence: `Reported by ${outlet} on ${isoDay(publishedAt)}, item ${n}.`,
    feedUrl: pick(
      rng,
      FEEDS.filter((feed) => feed.includes(outlet)),
    ),
    publishedAt,
    relevant: false,
  };
}
