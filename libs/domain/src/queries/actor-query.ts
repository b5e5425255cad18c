import { actorWords } from './event-query';

/**
 * The text-search query for an actor's name: its words in order, adjacent, the last one a
 * prefix ("sergei <-> sho:*"), matched against the names' words lower-cased (Postgres's
 * "simple" configuration: no stemming, no stop words). The words hold only letters and digits,
 * so nothing the caller types reaches the query syntax.
 */
export function actorTsQuery(name: string): string | null {
  const words = actorWords(name);
  if (words.length === 0) return null;
  return `${words.join(' <-> ')}:*`;
}
