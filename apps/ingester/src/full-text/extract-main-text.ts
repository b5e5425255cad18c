import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { decodeFeedBytes, htmlToText } from '@diplowatch/domain';
import { type FetchSettings, MAX_REDIRECTS } from '../feed-fetch';
import { safeFetch } from '../http/safe-fetch';

/** Pages larger than this are not worth a DOM: articles are far smaller, ad-laden pages aside. */
export const FULL_TEXT_MAX_BYTES = 3 * 1024 * 1024;
/** Below this, "main text" is a cookie banner or a paywall teaser, not the article. */
const MIN_TEXT_LENGTH = 200;

type MiniDocument = {
  createElement(name: string): { setAttribute(name: string, value: string): void };
  head: { appendChild(node: unknown): void } | null;
};

export type MainText = { title: string | null; text: string; html: string };

/**
 * The main text of an article page (Mozilla's Readability, as in Firefox Reader View, over
 * linkedom's DOM, which runs no scripts and loads nothing). Null when no article is found.
 */
export function extractMainText(html: string, url: string): MainText | null {
  // linkedom's types lean on the DOM lib, which this project does not load: the little used
  // here is typed by hand.
  const { document } = parseHTML(html) as unknown as { document: MiniDocument };
  // Readability resolves relative links against the document's URL.
  const base = document.createElement('base');
  base.setAttribute('href', url);
  document.head?.appendChild(base);
  const article = new Readability(document, {
    charThreshold: MIN_TEXT_LENGTH,
  }).parse();
  if (!article?.content) return null;
  const text = htmlToText(article.content);
  if (text.length < MIN_TEXT_LENGTH) return null;
  return { title: article.title?.trim() || null, text, html: article.content };
}

/**
 * Fetches an article page through the same guard as feeds (private-network check on every hop,
 * total deadline, size cap) and extracts its main text. Null when the page is not HTML or has no
 * recognisable article; fetch errors are thrown as FetchError.
 */
export async function fetchMainText(url: string, settings: FetchSettings): Promise<MainText | null> {
  const response = await safeFetch(url, {
    ...settings,
    maxBytes: Math.min(settings.maxBytes, FULL_TEXT_MAX_BYTES),
    maxRedirects: MAX_REDIRECTS,
  });
  const contentType = response.headers['content-type'] ?? '';
  if (contentType && !/html/i.test(contentType)) return null;
  const { text } = decodeFeedBytes(response.body, { contentType });
  return extractMainText(text, response.url);
}
