// The real-world feed documents beside the checkout (../shared/corpus/feeds) and their
// MANIFEST.jsonl, for the tests that walk them.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../../scripts/lib/app-processes';

export const feedCorpusDir = path.resolve(repoRoot, '..', 'shared', 'corpus', 'feeds');

/** One manifest line: the document, its format and what the ingester must make of it. */
export type FeedCorpusEntry = {
  file: string;
  format: string;
  expect: 'parse' | 'salvage' | 'reject';
  items: number | null;
  notes: string;
};

/** The manifest's entries; none where the corpus is not there. */
export function readFeedCorpusManifest(): FeedCorpusEntry[] {
  const manifestPath = path.join(feedCorpusDir, 'MANIFEST.jsonl');
  if (!existsSync(manifestPath)) return [];
  return readFileSync(manifestPath, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as FeedCorpusEntry);
}
