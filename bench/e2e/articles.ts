import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseFeedSync } from '@diplowatch/domain';
import { readDevSet, rssFromItems } from '../../scripts/lib/demo-feeds';

export type BaseText = { title: string; text: string; published: string | null; origin: 'dev' | 'corpus' };

/**
 * The texts articles are made from: the labelled development set (which the classifier finds
 * relevant about half the time) and every usable item of the feed corpus (real outlets'
 * stories, nearly all irrelevant), so the classifier, the projector and the alerter see the
 * mix of real news rather than one text repeated.
 */
export function loadBaseTexts(devSetFile: string, corpusDir: string): BaseText[] {
  const texts: BaseText[] = readDevSet(devSetFile).map((item) => ({
    title: item.title,
    text: item.text,
    published: item.published,
    origin: 'dev',
  }));
  const files = readdirSync(corpusDir).filter((name) => /\.(xml|rss|atom|json)$/i.test(name));
  for (const file of files) {
    try {
      const parsed = parseFeedSync(readFileSync(path.join(corpusDir, file)), {
        feedUrl: `https://corpus.example.org/${file}`,
      });
      for (const item of parsed.items) {
        if (item.title.length < 10 || item.text.length < 80) continue;
        texts.push({ title: item.title, text: item.text.slice(0, 6000), published: null, origin: 'corpus' });
      }
    } catch {
      // Hostile and broken documents are the corpus's point; they yield no texts here.
    }
  }
  return texts;
}

const sentencesOf = (text: string) => text.match(/[^.!?]+[.!?]+["'”’)]*\s*|[^.!?]+$/g) ?? [text];

/**
 * Article `k`: base text k mod n, its sentences rotated by the round (k div n) so that no two
 * articles share their text, plus a line naming k (its identity is the link, /articles/a<k>).
 */
export function articleText(bases: BaseText[], k: number) {
  const base = bases[k % bases.length]!;
  const round = Math.floor(k / bases.length);
  const sentences = sentencesOf(base.text);
  const shift = round % sentences.length;
  const text = [...sentences.slice(shift), ...sentences.slice(0, shift)].join(' ').replace(/\s+/g, ' ');
  return {
    id: `a${k}`,
    title: round === 0 ? base.title : `${base.title} (${round})`,
    text: `${text} Reference ${k}.`,
    published: base.published,
  };
}

export const articleIndexOf = (url: string): number | null => {
  const match = /\/articles\/a(\d+)$/.exec(url);
  return match ? Number(match[1]) : null;
};

export const feedDocument = (bases: BaseText[], feed: number, ks: number[]) =>
  rssFromItems(
    `bench feed ${feed}`,
    ks.map((k) => articleText(bases, k)),
    `https://bench-${feed}.example.org`,
  );
