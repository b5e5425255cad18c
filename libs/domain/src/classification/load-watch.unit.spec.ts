import * as fs from 'node:fs';
import * as path from 'node:path';
import { classifyArticle } from './classify-article';
import {
  defaultWatchDir,
  loadDefaultWatch,
  loadWatch,
  parseWatch,
  watchFileNames,
  WatchValidationError,
  type WatchSources,
} from './load-watch';

const readSources = (dir: string): WatchSources =>
  Object.fromEntries(
    Object.values(watchFileNames).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]),
  ) as WatchSources;

const issuesOf = (sources: WatchSources): WatchValidationError => {
  try {
    parseWatch(sources, 'test-watch');
  } catch (e) {
    if (e instanceof WatchValidationError) return e;
    throw e;
  }
  throw new Error('expected a WatchValidationError');
};

describe('loadWatch', () => {
  describe('when loading the default watch', () => {
    it('finds the data from the repository root and reads its version', () => {
      expect(fs.existsSync(path.join(defaultWatchDir(), 'watch.json'))).toBe(true);
      const watch = loadDefaultWatch();
      expect(watch.id).toBe('russia-sea');
      expect(watch.version).toMatch(/\S/);
      expect(loadDefaultWatch()).toBe(watch);
    });
    it('maps every event type to CAMEO codes', () => {
      const watch = loadDefaultWatch();
      expect(watch.typeRules.size).toBe(9);
      for (const rule of watch.typeRules.values()) expect(rule.cameo.length).toBeGreaterThan(0);
    });
  });

  describe('when a file breaks the schema', () => {
    it('names the file, the line and the problem', () => {
      const sources = readSources(defaultWatchDir());
      const officials = sources['officials.json'].replace(
        '{ "office": "Defence Minister", "from": "2012-11-06", "to": "2024-05-12" }',
        '{ "office": "Defence Minister", "from": "2012-11-06", "to": "12 May 2024" }',
      );
      expect(officials).toContain('12 May 2024');
      const err = issuesOf({ ...sources, 'officials.json': officials });
      const expectedLine = officials.split('\n').findIndex((l) => l.includes('12 May 2024')) + 1;
      expect(err.issues).toEqual([
        expect.objectContaining({
          file: 'officials.json',
          line: expectedLine,
          message: 'expected a date YYYY-MM-DD',
        }),
      ]);
      expect(err.message).toContain(`officials.json:${expectedLine}:`);
    });
  });

  describe('when a file is not valid JSON', () => {
    it('names the line of the syntax error', () => {
      const sources = readSources(defaultWatchDir());
      const lines = sources['watch.json'].split('\n');
      const i = lines.findIndex((l) => l.includes('"anchor"'));
      lines[i] = lines[i]!.replace(/,\s*$/, '');
      const err = issuesOf({ ...sources, 'watch.json': lines.join('\n') });
      expect(err.issues[0]).toMatchObject({ file: 'watch.json', line: i + 2 });
      expect(err.issues[0]!.message).toMatch(/JSON syntax error/);
    });
  });

  describe('when files disagree with each other', () => {
    it('reports unknown codes, bad regexes and terms claimed twice', () => {
      const sources = readSources(defaultWatchDir());
      const manifest = sources['watch.json'].replace('"TLS", "ASEAN"]', '"TLS", "ASEAN", "XYZ"]');
      const rules = sources['rules.json'].replace(
        '"patterns": ["COP ?\\\\d{2}"]',
        '"patterns": ["COP (\\\\d{2}"]',
      );
      const countries = sources['countries.json'].replace(
        '"places": ["Changi"]',
        '"places": ["Changi", "Bali"]',
      );
      const manifestErr = issuesOf({ ...sources, 'watch.json': manifest });
      expect(manifestErr.issues[0]).toMatchObject({
        file: 'watch.json',
        message: '"XYZ" is not defined in countries.json',
      });
      const rulesErr = issuesOf({ ...sources, 'rules.json': rules });
      expect(rulesErr.issues[0]).toMatchObject({ file: 'rules.json' });
      expect(rulesErr.issues[0]!.message).toMatch(/invalid regular expression/);
      expect(rulesErr.issues[0]!.line).toBe(rules.split('\n').findIndex((l) => l.includes('COP (')) + 1);
      const countriesErr = issuesOf({ ...sources, 'countries.json': countries });
      expect(countriesErr.issues[0]).toMatchObject({
        file: 'countries.json',
        message: 'term "Bali" is already claimed by IDN',
      });
    });
    it('reports a missing file', () => {
      const { 'rules.json': _rules, ...rest } = readSources(defaultWatchDir());
      expect(issuesOf(rest as WatchSources).issues[0]).toMatchObject({
        file: 'rules.json',
        message: 'file is missing',
      });
    });
  });

  describe('when calibration.json is broken', () => {
    it('names the file, the line and the problem', () => {
      const sources = readSources(defaultWatchDir());
      const calibration = fs.readFileSync(path.join(defaultWatchDir(), 'calibration.json'), 'utf8');
      const broken = calibration.replace(/"p": 0\.955/, '"p": 1.5');
      expect(broken).not.toBe(calibration);
      const err = issuesOf({ ...sources, 'calibration.json': broken });
      expect(err.issues[0]).toMatchObject({
        file: 'calibration.json',
        line: broken.split('\n').findIndex((l) => l.includes('1.5')) + 1,
      });
    });
  });

  describe('when a watch has no calibration.json', () => {
    it('loads, and reports raw evidence scores as they are', () => {
      const { 'calibration.json': _c, ...rest } = {
        ...readSources(defaultWatchDir()),
        'calibration.json': '',
      };
      const watch = parseWatch(rest);
      expect(watch.data.calibration).toBeUndefined();
      const r = classifyArticle(
        { id: 'x', title: 'Shoigu visits Indonesia', text: 'Shoigu visits Indonesia', publishedAt: null },
        watch,
      );
      expect(r.relevance).toBe(r.scores.relevance);
    });
  });

  describe('when a second watch is only data (China – Pacific islands)', () => {
    const watch = loadWatch(path.join(__dirname, '__fixtures__', 'china-pacific'));

    it('classifies with its own gazetteers and rules', () => {
      const result = classifyArticle(
        {
          id: 'cp-1',
          title: 'Solomon Islands PM Manele visits Beijing, signs policing pact',
          text: 'Prime Minister Jeremiah Manele arrived in China on July 8 for talks with Xi Jinping on security cooperation.',
          publishedAt: '2024-07-09',
        },
        watch,
      );
      expect(result).toMatchObject({ relevant: true, watch: 'china-pacific', rulesVersion: '0.1.0-fixture' });
      expect(result.countries).toEqual(['CHN', 'SLB']);
      expect(result.diplomaticEvents).toHaveLength(1);
      expect(result.diplomaticEvents[0]).toMatchObject({ type: 'visit', startDate: '2024-07-08' });
      expect(result.eventTypes).toEqual(
        expect.arrayContaining(['visit', 'agreement', 'defense_cooperation', 'meeting_talks']),
      );
      expect(result.actors).toEqual(expect.arrayContaining(['Jeremiah Manele', 'Xi Jinping']));
    });

    it('applies its own negatives and third-party focus', () => {
      const fishing = classifyArticle(
        {
          id: 'cp-2',
          title: 'Chinese fishing boat detained off Fiji',
          text: 'Fijian police boarded the vessel.',
          publishedAt: '2024-07-09',
        },
        watch,
      );
      const australia = classifyArticle(
        {
          id: 'cp-3',
          title: 'Australia signs security pact with Papua New Guinea amid China concerns',
          text: 'Albanese and Marape signed the deal.',
          publishedAt: '2024-07-09',
        },
        watch,
      );
      expect(fishing.relevant).toBe(false);
      expect(australia.relevant).toBe(false);
    });

    it('does not see the Russia watch terms', () => {
      const result = classifyArticle(
        {
          id: 'cp-4',
          title: 'Shoigu visits Indonesia and Malaysia',
          text: 'Shoigu visits Indonesia and Malaysia',
          publishedAt: '2025-02-24',
        },
        watch,
      );
      expect(result.relevant).toBe(false);
    });
  });
});
