/**
 * The console is static ES modules with no build step, so lib/dom.js holds copies of the
 * server's vocabulary. This test is what keeps them true: it fails when an event type is added
 * to libs/contracts, or a country to the watch, and the console is not told.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { diplomaticEventTypes } from '@diplowatch/contracts';
import { defaultWatchDir } from '@diplowatch/domain';

type ConsoleVocabulary = {
  EVENT_TYPES: string[];
  COUNTRIES: string[];
  SEA_COUNTRIES: string[];
  COUNTRY_NAMES: Record<string, string>;
};
// Plain JavaScript for the browser: loaded through Jest's transform, as the page would import it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dom = require('./static/lib/dom.js') as ConsoleVocabulary;

const watchFile = <T>(name: string) =>
  JSON.parse(readFileSync(path.join(defaultWatchDir(), name), 'utf8')) as T;
const manifest = watchFile<{ anchor: string[]; region: string[] }>('watch.json');
const entities = watchFile<{ entities: Array<{ code: string; kind: string; names: string[] }> }>(
  'countries.json',
).entities;

describe("the console's copies of the vocabulary", () => {
  it('lists the event types of libs/contracts, in their order', () => {
    expect(dom.EVENT_TYPES).toEqual([...diplomaticEventTypes]);
  });

  it("offers the watch's anchor and region as countries, the region's states on the map", () => {
    expect(dom.COUNTRIES).toEqual([...manifest.anchor, ...manifest.region]);
    const states = new Set(entities.filter((e) => e.kind === 'state').map((e) => e.code));
    expect(dom.SEA_COUNTRIES).toEqual(manifest.region.filter((code) => states.has(code)));
  });

  it("names each country as the watch's first name for it", () => {
    const names = Object.fromEntries(
      entities.filter((e) => dom.COUNTRIES.includes(e.code)).map((e) => [e.code, e.names[0]]),
    );
    expect(dom.COUNTRY_NAMES).toEqual(names);
  });
});
